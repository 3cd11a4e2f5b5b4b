package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.spi.RaftTransport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections are there before they are needed. A peer that comes back is reached at once, not after
 * the backoff: node 1 failed to reach node 2 and waits at least 10 s before its next attempt (backoff
 * 20 s); node 2 starts and dials node 1; node 1 dials back as soon as node 2's handshake completes, and
 * its messages reach node 2 within seconds. A node that registers with its transport connects to its
 * peers at once, so its first message is not refused for want of a connection.
 */
class ReconnectWhenPeerReturnsTest {

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport transport(long nodeId, int port) {
        NettyTransport transport = NettyTransport.builder().clusterId("heal").nodeId(nodeId).bind("127.0.0.1", port)
                .eventLoopThreads(1).reconnectBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20)).build();
        transports.add(transport);
        return transport;
    }

    @Test
    void aPeerThatDialsInIsDialledBackAtOnceWhateverTheBackoff() throws Exception {
        int portOfTwo;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            portOfTwo = free.getLocalPort();
        }
        NettyTransport one = transport(1, 0);
        one.peer(2, "127.0.0.1:" + portOfTwo);
        RaftTransport fromOne = one.connect(1, 1, m -> true);
        VoteRequest toTwo = new VoteRequest(1, 2, 5, LogId.ZERO, false);
        Await.until("node 1's first attempt fails", Duration.ofSeconds(10), () -> {
            fromOne.send(toTwo);
            LockSupport.parkNanos(5_000_000);
            return one.stats().connectFailures() == 1;
        });
        for (int i = 0; i < 20; i++) {
            assertThat(fromOne.send(toTwo)).isFalse();
        }
        assertThat(one.stats().connectAttempts()).as("the backoff holds node 1's next attempt").isEqualTo(1);

        NettyTransport two = transport(2, portOfTwo);
        two.peer(1, "127.0.0.1:" + one.localAddress().getPort());
        List<RaftMessage> receivedByTwo = new CopyOnWriteArrayList<>();
        RaftTransport fromTwo = two.connect(1, 2, receivedByTwo::add);
        Await.until("node 1 hears node 2 and reaches it back", Duration.ofSeconds(5), () -> {
            fromTwo.send(new VoteRequest(2, 1, 5, LogId.ZERO, false));
            fromOne.send(toTwo);
            LockSupport.parkNanos(5_000_000);
            return !receivedByTwo.isEmpty();
        });
        assertThat(receivedByTwo.get(0)).isEqualTo(toTwo);
        assertThat(one.stats().connectAttempts()).isEqualTo(2);
    }

    @Test
    void aNodeThatRegistersConnectsToItsPeersBeforeItSendsAnything() {
        NettyTransport one = transport(1, 0);
        NettyTransport two = transport(2, 0);
        two.peer(1, "127.0.0.1:" + one.localAddress().getPort());
        List<RaftMessage> receivedByTwo = new CopyOnWriteArrayList<>();
        two.connect(1, 2, receivedByTwo::add);
        one.peer(2, "127.0.0.1:" + two.localAddress().getPort());
        one.peer(1, "127.0.0.1:" + one.localAddress().getPort()); // its own address: never dialled
        assertThat(one.stats().connectAttempts()).as("no node registered yet").isZero();

        RaftTransport fromOne = one.connect(1, 1, m -> true);
        Await.until("node 1's process connected to node 2's", Duration.ofSeconds(5),
                () -> one.stats().connectionsEstablished() == 1);
        assertThat(one.stats().connectAttempts()).isEqualTo(1);
        VoteRequest first = new VoteRequest(1, 2, 5, LogId.ZERO, false);
        assertThat(fromOne.send(first)).as("the first message finds the connection up").isTrue();
        Await.until("node 2 got it", Duration.ofSeconds(5), () -> receivedByTwo.contains(first));
    }
}
