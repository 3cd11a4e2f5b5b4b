package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.spi.RaftTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS: a cluster whose nodes trust the cluster certificate works; a client they do not trust is refused. */
class TlsClusterTest {

    @TempDir
    static Path certificates;
    private static Path clusterStore;
    private static Path rogueStore;

    private TestCluster cluster;
    private final List<NettyTransport> extra = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        List<Path> stores = TestCertificates.generate(certificates, "cluster", "rogue");
        clusterStore = stores.get(0);
        rogueStore = stores.get(1);
    }

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
        extra.forEach(NettyTransport::close);
    }

    private static TlsOptions clusterTls() throws Exception {
        return TlsOptions.builder().keyStore(clusterStore, TestCertificates.PASSWORD)
                .trustManager(TestCertificates.trusting(clusterStore, "cluster")).build();
    }

    @Test
    void aClusterWithMutualTlsElectsAndReplicates() throws Exception {
        TlsOptions tls = clusterTls();
        cluster = new TestCluster(3, b -> b.tls(tls)).start();
        List<String> committed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            cluster.propose("tls-" + i);
            committed.add("tls-" + i);
        }
        cluster.awaitConverged(committed);
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.transport(id).stats().tlsFailures()).isZero();
        }
    }

    @Test
    void aClientWithoutATrustedCertificateIsRefused() throws Exception {
        NettyTransport server = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(1)
                .bind("127.0.0.1", 0).peer(2, "127.0.0.1:1").tls(clusterTls()).build());
        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        server.connect(1, 1, received::add);

        // the rogue trusts the cluster's certificate, but presents its own self-signed one
        TlsOptions rogueTls = TlsOptions.builder().keyStore(rogueStore, TestCertificates.PASSWORD)
                .trustManager(TestCertificates.trusting(clusterStore, "cluster")).build();
        NettyTransport rogue = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(2)
                .bind("127.0.0.1", 0).peer(1, "127.0.0.1:" + server.localAddress().getPort()).tls(rogueTls)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build());
        assertRefused(server, rogue, received);

        // so is a client speaking plaintext to a TLS node
        NettyTransport plain = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(2)
                .bind("127.0.0.1", 0).peer(1, "127.0.0.1:" + server.localAddress().getPort())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build());
        long failuresBefore = server.stats().tlsFailures();
        RaftTransport endpoint = plain.connect(1, 2, m -> true);
        Await.until("the TLS node rejects plaintext", Duration.ofSeconds(10), () -> {
            endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true));
            LockSupport.parkNanos(5_000_000);
            return server.stats().tlsFailures() > failuresBefore;
        });
        assertThat(received).isEmpty();
    }

    @Test
    void hostnameVerificationRejectsACertificateThatDoesNotNameThePeerUnlessTurnedOff() throws Exception {
        // the certificate names localhost and 127.0.0.1; this node listens on 127.0.0.2
        NettyTransport server = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(1)
                .bind("127.0.0.2", 0).peer(2, "127.0.0.1:1").tls(clusterTls()).build());
        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        server.connect(1, 1, received::add);
        String address = "127.0.0.2:" + server.localAddress().getPort();

        NettyTransport strict = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(2)
                .bind("127.0.0.1", 0).peer(1, address).tls(clusterTls())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build());
        RaftTransport strictEndpoint = strict.connect(1, 2, m -> true);
        Await.until("the connecting side rejects the certificate", Duration.ofSeconds(10), () -> {
            strictEndpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true));
            LockSupport.parkNanos(5_000_000);
            return strict.stats().tlsFailures() > 0;
        });
        assertThat(received).isEmpty();

        TlsOptions lenient = TlsOptions.builder().keyStore(clusterStore, TestCertificates.PASSWORD)
                .trustManager(TestCertificates.trusting(clusterStore, "cluster")).hostnameVerification(false).build();
        NettyTransport relaxed = track(NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(2)
                .bind("127.0.0.1", 0).peer(1, address).tls(lenient).build());
        RaftTransport relaxedEndpoint = relaxed.connect(1, 2, m -> true);
        Await.until("the message arrives without hostname verification", Duration.ofSeconds(10), () -> {
            relaxedEndpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true));
            LockSupport.parkNanos(5_000_000);
            return !received.isEmpty();
        });
    }

    private static void assertRefused(NettyTransport server, NettyTransport client, List<RaftMessage> received) {
        RaftTransport endpoint = client.connect(1, 2, m -> true);
        Await.until("the server refuses the untrusted client", Duration.ofSeconds(10), () -> {
            endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true));
            LockSupport.parkNanos(5_000_000);
            return server.stats().tlsFailures() > 0 && client.stats().connectAttempts() >= 2;
        });
        assertThat(received).isEmpty();
        assertThat(server.stats().connectionsAccepted()).isZero();
        assertThat(client.stats().connectionsEstablished()).isZero();
        assertThat(client.stats().framesSent()).isZero();
    }

    private NettyTransport track(NettyTransport transport) {
        extra.add(transport);
        return transport;
    }
}
