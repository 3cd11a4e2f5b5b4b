package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringraft.api.RaftNode;
import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.RaftClient;
import io.ringraft.api.client.SessionStateMachine;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.net.netty.client.ClientServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client role over the transport's mutual TLS: a trusted client is served, others are refused. */
class ClientTlsTest {

    @TempDir
    static Path certificates;
    private static Path clusterStore;
    private static Path rogueStore;

    private NettyTransport transport;
    private RaftNode node;
    private ClientServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        var stores = TestCertificates.generate(certificates, "cluster", "rogue");
        clusterStore = stores.get(0);
        rogueStore = stores.get(1);
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        if (node != null) {
            node.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    private static TlsOptions tls(Path keyStore) throws Exception {
        return TlsOptions.builder().keyStore(keyStore, TestCertificates.PASSWORD)
                .trustManager(TestCertificates.trusting(clusterStore, "cluster")).build();
    }

    private String startNode() throws Exception {
        transport = NettyTransport.builder().clusterId(TestCluster.CLUSTER_ID).nodeId(1).bind("127.0.0.1", 0)
                .tls(tls(clusterStore)).build();
        RecordingStateMachine recording = new RecordingStateMachine();
        SessionStateMachine machine = SessionStateMachine.wrap(recording)
                .resultEncoder(result -> String.valueOf(result).getBytes(StandardCharsets.UTF_8)).build();
        node = RaftNode.builder().nodeId(1).voters(1).config(TestCluster.CONFIG).stateMachine(machine)
                .logStorage(new InMemoryLogStorage()).transport(transport).build();
        node.start();
        server = ClientServer.builder(transport).node(node, machine).build();
        return "1=127.0.0.1:" + transport.localAddress().getPort();
    }

    @Test
    void aClientWithTheClusterCertificateIsServedOthersAreNot() throws Exception {
        String seeds = startNode();
        try (RaftClient trusted = RaftClient.builder().seeds(seeds).clusterId(TestCluster.CLUSTER_ID)
                .option("tls", tls(clusterStore)).build()) {
            byte[] index = trusted.group(1).ask("over-tls".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            assertThat(Long.parseLong(new String(index, StandardCharsets.UTF_8))).isPositive();
        }
        for (RaftClient.Builder untrusted : new RaftClient.Builder[] {
                RaftClient.builder().option("tls", tls(rogueStore)), // a certificate the node does not trust
                RaftClient.builder()}) {                              // no TLS at all
            try (RaftClient client = untrusted.seeds(seeds).clusterId(TestCluster.CLUSTER_ID)
                    .timeout(Duration.ofSeconds(1)).attemptTimeout(Duration.ofMillis(300)).build()) {
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> client.group(1).ask("refused".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS));
                assertThat(failure.getCause()).isInstanceOfSatisfying(ClientException.class,
                        e -> assertThat(e.mayHaveTakenEffect()).isFalse());
            }
        }
        assertThat(node.status().appliedIndex()).isPositive();
    }
}
