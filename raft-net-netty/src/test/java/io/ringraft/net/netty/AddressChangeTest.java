package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringraft.api.LogId;
import io.ringraft.message.VoteRequest;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.spi.RaftTransport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outgoing connections follow the address maps: a connection to an address that no map mentions
 * any more is closed (instead of staying open, and its state kept, until the transport closes).
 */
class AddressChangeTest {

    private static final String CLUSTER = "moves";

    private NettyTransport transport;
    private ServerSocket peer;

    @AfterEach
    void close() throws IOException {
        if (transport != null) {
            transport.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    /** A peer process that completes the handshake as node {@code nodeId} and then only reads. */
    private Socket acceptAndHandshake(long nodeId) throws IOException {
        Socket socket = peer.accept();
        socket.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readFully(new byte[in.readInt()]); // HELLO
        ByteBuf ack = HandshakeCodec.encodeAck(UnpooledByteBufAllocator.DEFAULT,
                new HandshakeCodec.HelloAck(1, nodeId, CLUSTER));
        byte[] bytes = new byte[4 + ack.readableBytes()];
        ack.getBytes(0, bytes, 4, ack.readableBytes());
        int length = ack.readableBytes();
        bytes[0] = (byte) (length >>> 24);
        bytes[1] = (byte) (length >>> 16);
        bytes[2] = (byte) (length >>> 8);
        bytes[3] = (byte) length;
        ack.release();
        socket.getOutputStream().write(bytes);
        return socket;
    }

    /** True if the other side closed {@code socket} within the timeout (reads what it sent). */
    private static boolean closedByPeer(Socket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // messages sent before the change
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private RaftTransport connected(long selfId, long peerId) throws IOException {
        RaftTransport endpoint = transport.connect(1, selfId, m -> true);
        VoteRequest vote = new VoteRequest(selfId, peerId, 1, LogId.ZERO, false);
        assertThat(endpoint.send(vote)).isFalse(); // starts the connect
        return endpoint;
    }

    @Test
    void removingAPeerClosesItsConnection() throws IOException {
        peer = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        transport = NettyTransport.builder().clusterId(CLUSTER).nodeId(1).bind("127.0.0.1", 0).eventLoopThreads(1)
                .peer(2, "127.0.0.1:" + peer.getLocalPort()).build();
        RaftTransport endpoint = connected(1, 2);
        try (Socket socket = acceptAndHandshake(2)) {
            Await.until("connected", () -> endpoint.send(new VoteRequest(1, 2, 1, LogId.ZERO, false)));

            transport.removePeer(2);

            assertThat(endpoint.send(new VoteRequest(1, 2, 1, LogId.ZERO, false))).isFalse();
            assertThat(closedByPeer(socket, Duration.ofSeconds(2))).as("connection to the removed peer closed")
                    .isTrue();
        }
    }

    @Test
    void movingAPeerClosesTheConnectionToItsOldAddressButKeepsSharedOnes() throws IOException {
        peer = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        String old = "127.0.0.1:" + peer.getLocalPort();
        // nodes 2 and 3 are one process (one address); node 3 moves away, node 2 stays
        transport = NettyTransport.builder().clusterId(CLUSTER).nodeId(1).bind("127.0.0.1", 0).eventLoopThreads(1)
                .peer(2, old).peer(3, old).build();
        RaftTransport endpoint = connected(1, 2);
        try (Socket socket = acceptAndHandshake(2)) {
            Await.until("connected", () -> endpoint.send(new VoteRequest(1, 2, 1, LogId.ZERO, false)));

            transport.peer(3, "127.0.0.1:1"); // node 3 moved: the old address still serves node 2
            assertThat(endpoint.send(new VoteRequest(1, 2, 1, LogId.ZERO, false))).isTrue();

            transport.peer(2, "127.0.0.1:1"); // now nobody is at the old address
            assertThat(closedByPeer(socket, Duration.ofSeconds(2))).as("connection to the old address closed")
                    .isTrue();
        }
    }
}
