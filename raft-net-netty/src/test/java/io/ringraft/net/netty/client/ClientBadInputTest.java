package io.ringraft.net.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.RaftClient;
import io.ringraft.net.netty.internal.client.ClientCodec;
import io.ringraft.net.netty.internal.client.ClientRequest;
import io.ringraft.net.netty.internal.client.ClientResponse;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad client input: a wrong cluster id, malformed and oversized frames, unknown groups. Each gets a clear
 * error, and the node goes on serving its other clients.
 */
class ClientBadInputTest {

    private static ClientCluster cluster;
    private static RaftClient good;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClientCluster(3);
        good = cluster.client().build();
        good.group(1).ask(CountingMachine.id(1)).get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        good.close();
        cluster.close();
    }

    /** A raw connection to node 1 that writes and reads frames by hand. */
    private static final class Raw implements AutoCloseable {
        final Socket socket;
        final DataOutputStream out;
        final DataInputStream in;

        Raw() throws IOException {
            socket = new Socket("127.0.0.1", cluster.transports[1].localAddress().getPort());
            socket.setSoTimeout(10_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        }

        void send(ByteBuf frame) throws IOException {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            frame.release();
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
        }

        ByteBuf read() throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return Unpooled.wrappedBuffer(bytes);
        }

        void hello(String clusterId) throws IOException {
            send(HandshakeCodec.encodeHello(ByteBufAllocator.DEFAULT, new HandshakeCodec.Hello(WireFormat.MIN_VERSION,
                    WireFormat.MAX_VERSION, WireFormat.CLIENT_NODE_ID, clusterId)));
        }

        boolean closedByPeer() throws IOException {
            try {
                return in.read() == -1;
            } catch (EOFException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void goodClientStillServed() throws Exception {
        long before = cluster.machines[1].total.get();
        good.group(1).ask(CountingMachine.id(System.nanoTime())).get(20, TimeUnit.SECONDS);
        ClientCluster.await("node 1 applied the good client's write", () -> cluster.machines[1].total.get() > before);
    }

    @Test
    void aWrongClusterIdIsRefusedWithItsReason() throws Exception {
        try (Raw raw = new Raw()) {
            raw.hello("another-cluster");
            ByteBuf frame = raw.read();
            assertThat(HandshakeCodec.readHeader(frame)).isEqualTo(WireFormat.REFUSE);
            HandshakeCodec.Refuse refuse = HandshakeCodec.decodeRefuse(frame);
            assertThat(refuse.reason()).isEqualTo(HandshakeCodec.RefuseReason.WRONG_CLUSTER);
            assertThat(refuse.message()).contains("client-test").contains("another-cluster");
            assertThat(raw.closedByPeer()).isTrue();
        }
        try (RaftClient wrong = RaftClient.builder().seeds(cluster.seeds()).clusterId("another-cluster")
                .timeout(Duration.ofSeconds(1)).attemptTimeout(Duration.ofMillis(300)).build()) {
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> wrong.group(1).ask(CountingMachine.id(9)).get(10, TimeUnit.SECONDS));
            assertThat(failure.getCause()).isInstanceOfSatisfying(ClientException.class, e -> {
                assertThat(e.mayHaveTakenEffect()).isFalse();
                assertThat(e.getMessage()).contains("WRONG_CLUSTER");
            });
        }
        goodClientStillServed();
    }

    @Test
    void aMalformedFrameGetsAnErrorFrameAndClosesOnlyItsConnection() throws Exception {
        try (Raw raw = new Raw()) {
            raw.hello(ClientCluster.CLUSTER_ID);
            assertThat(HandshakeCodec.readHeader(raw.read())).isEqualTo(WireFormat.HELLO_ACK);
            ByteBuf garbage = Unpooled.buffer();
            WireFormat.writeHeader(garbage, WireFormat.VERSION, WireFormat.CLIENT_REQUEST, 1);
            garbage.writeLong(77).writeByte(99); // op 99 does not exist
            raw.send(garbage);
            ByteBuf error = raw.read();
            error.skipBytes(1);
            assertThat(error.readByte()).isEqualTo(WireFormat.CLIENT_ERROR);
            error.skipBytes(8);
            assertThat(ClientCodec.decodeError(error)).startsWith(ClientCodec.ERROR_MALFORMED + ": ")
                    .contains("unknown client request op 99");
            assertThat(raw.closedByPeer()).isTrue();
        }
        goodClientStillServed();
    }

    @Test
    void anOversizedFrameGetsAnErrorFrame() throws Exception {
        try (Raw raw = new Raw()) {
            raw.hello(ClientCluster.CLUSTER_ID);
            assertThat(HandshakeCodec.readHeader(raw.read())).isEqualTo(WireFormat.HELLO_ACK);
            raw.out.writeInt(1 << 20); // announces 1 MiB, over the node's 8 KiB frame limit
            raw.out.flush();
            ByteBuf error = raw.read();
            error.skipBytes(1);
            assertThat(error.readByte()).isEqualTo(WireFormat.CLIENT_ERROR);
            error.skipBytes(8);
            assertThat(ClientCodec.decodeError(error)).startsWith(ClientCodec.ERROR_TOO_LONG + ": ");
            assertThat(raw.closedByPeer()).isTrue();
        }
        goodClientStillServed();
    }

    @Test
    void anUnknownGroupIsAnsweredAsSuchAndTheConnectionGoesOn() throws Exception {
        try (Raw raw = new Raw()) {
            raw.hello(ClientCluster.CLUSTER_ID);
            assertThat(HandshakeCodec.readHeader(raw.read())).isEqualTo(WireFormat.HELLO_ACK);
            raw.send(ClientCodec.encode(ByteBufAllocator.DEFAULT, ClientRequest.info(99, 1)));
            ClientResponse unknown = ClientCodec.decodeResponse(raw.read());
            assertThat(unknown.status().name()).isEqualTo("UNKNOWN_GROUP");
            assertThat(unknown.message()).contains("99");
            raw.send(ClientCodec.encode(ByteBufAllocator.DEFAULT, ClientRequest.info(1, 2)));
            ClientResponse known = ClientCodec.decodeResponse(raw.read());
            assertThat(known.status().name()).isEqualTo("OK");
            assertThat(known.requestId()).isEqualTo(2);
        }
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> good.group(99).ask(CountingMachine.id(1), Duration.ofMillis(500)).get(10, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOfSatisfying(ClientException.class, e -> {
            assertThat(e.reason()).isEqualTo(ClientException.Reason.UNKNOWN_GROUP);
            assertThat(e.mayHaveTakenEffect()).isFalse();
        });
        goodClientStillServed();
    }

    @Test
    void aStateMachineCommandIsNotTakenFromAConnectionThatSkippedTheHandshake() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(Unpooled.wrappedBuffer("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII)));
            assertThat(raw.closedByPeer()).isTrue();
        }
        goodClientStillServed();
    }
}
