package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.ringraft.api.LogId;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import io.ringraft.spi.RaftTransport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real sockets: the handshake keeps out other clusters and unknown nodes, garbage closes only
 * its own connection, and one connection carries every group two processes share.
 */
class ConnectionSafetyTest {

    private final List<NettyTransport> transports = new ArrayList<>();
    private final List<RaftMessage> receivedByOne = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport transport(String cluster, long nodeId, boolean preferNative) {
        NettyTransport transport = NettyTransport.builder().clusterId(cluster).nodeId(nodeId).bind("127.0.0.1", 0)
                .eventLoopThreads(1).preferNativeTransport(preferNative)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build();
        transports.add(transport);
        return transport;
    }

    private static String address(NettyTransport transport) {
        return "127.0.0.1:" + transport.localAddress().getPort();
    }

    private NettyTransport serverOfNodeOne() {
        NettyTransport server = transport("alpha", 1, true);
        assertThat(server.isNative()).isEqualTo(Epoll.isAvailable());
        server.peer(2, "127.0.0.1:1"); // node 2 is known (its address does not matter here)
        server.connect(1, 1, receivedByOne::add);
        return server;
    }

    private static void sendUntil(RaftTransport endpoint, RaftMessage message, String what,
                                  java.util.function.BooleanSupplier done) {
        Await.until(what, Duration.ofSeconds(10), () -> {
            endpoint.send(message);
            LockSupport.parkNanos(5_000_000);
            return done.getAsBoolean();
        });
    }

    @Test
    void aNodeOfAnotherClusterIsRefusedWithAReasonOnBothSides() {
        NettyTransport server = serverOfNodeOne();
        NettyTransport stranger = transport("beta", 2, false); // NIO on this side
        assertThat(stranger.isNative()).isFalse();
        stranger.peer(1, address(server));
        RaftTransport endpoint = stranger.connect(1, 2, m -> true);
        sendUntil(endpoint, new VoteRequest(2, 1, 5, LogId.ZERO, false), "the stranger is refused",
                () -> stranger.stats().handshakesRejectedByPeer() >= 2);
        assertThat(server.stats().handshakesRefused()).isGreaterThanOrEqualTo(2);
        assertThat(server.stats().connectionsAccepted()).isZero();
        assertThat(stranger.stats().connectionsEstablished()).isZero();
        assertThat(stranger.stats().framesSent()).isZero();
        assertThat(receivedByOne).isEmpty();
    }

    @Test
    void aNodeIdTheServerDoesNotKnowIsRefused() {
        NettyTransport server = serverOfNodeOne();
        NettyTransport unknown = transport("alpha", 3, true);
        unknown.peer(1, address(server));
        RaftTransport endpoint = unknown.connect(1, 3, m -> true);
        sendUntil(endpoint, new VoteRequest(3, 1, 5, LogId.ZERO, false), "node 3 is refused",
                () -> unknown.stats().handshakesRejectedByPeer() >= 1);
        assertThat(server.stats().handshakesRefused()).isGreaterThanOrEqualTo(1);
        assertThat(receivedByOne).isEmpty();
    }

    @Test
    void garbageClosesOnlyItsOwnConnectionAndTheNodeKeepsServingOthers() throws Exception {
        NettyTransport server = serverOfNodeOne();
        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {0, 0, 0, 12, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x52, 0x52}); // a truncated HELLO
            out.flush();
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
        }
        Await.until("the error is counted", () -> server.stats().protocolErrors() == 1);

        NettyTransport friend = transport("alpha", 2, true);
        friend.peer(1, address(server));
        RaftTransport endpoint = friend.connect(1, 2, m -> true);
        VoteRequest vote = new VoteRequest(2, 1, 5, LogId.ZERO, false);
        sendUntil(endpoint, vote, "a valid peer gets through", () -> !receivedByOne.isEmpty());
        assertThat(receivedByOne.get(0)).isEqualTo(vote);
        assertThat(server.stats().protocolErrors()).isEqualTo(1);
    }

    @Test
    void oneConnectionCarriesEveryGroupTwoProcessesShare() {
        NettyTransport one = transport("alpha", 1, true);
        NettyTransport two = transport("alpha", 2, true);
        one.peer(2, address(two));
        two.peer(1, address(one));
        List<RaftMessage> groupA = new CopyOnWriteArrayList<>();
        List<RaftMessage> groupB = new CopyOnWriteArrayList<>();
        two.connect(100, 2, groupA::add);
        two.connect(200, 2, groupB::add);
        RaftTransport senderA = one.connect(100, 1, m -> true);
        RaftTransport senderB = one.connect(200, 1, m -> true);
        VoteResponse forA = new VoteResponse(1, 2, 7, true, false);
        VoteResponse forB = new VoteResponse(1, 2, 9, false, true);
        sendUntil(senderA, forA, "group 100 hears from node 1", () -> !groupA.isEmpty());
        sendUntil(senderB, forB, "group 200 hears from node 1", () -> !groupB.isEmpty());
        assertThat(groupA).containsOnly(forA);
        assertThat(groupB).containsOnly(forB);
        assertThat(one.stats().connectionsEstablished()).isEqualTo(1);
        assertThat(two.stats().connectionsAccepted()).isEqualTo(1);

        // a node that closed is unregistered: its messages are dropped, the others' still flow
        senderB.close();
        RaftTransport again = one.connect(200, 1, m -> true); // and it may connect again (a restart)
        assertThat(again).isNotNull();
    }
}
