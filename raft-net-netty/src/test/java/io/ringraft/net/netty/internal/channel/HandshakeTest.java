package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringraft.api.LogId;
import io.ringraft.message.VoteRequest;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.RefuseReason;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The accepting side of the handshake, on the real pipeline. */
class HandshakeTest {

    private final EmbeddedServer server = new EmbeddedServer();

    @Test
    void aValidHelloIsAcknowledgedAndMessagesFlowAfterIt() {
        server.handshake();
        VoteRequest vote = new VoteRequest(EmbeddedServer.PEER, EmbeddedServer.SELF, 3, new LogId(2, 9), false);
        server.writeFrame(EmbeddedServer.frameOf(vote));
        assertThat(server.delivered).containsExactly(vote);
        assertThat(server.context.counters.connectionsAccepted.sum()).isEqualTo(1);
        assertThat(server.channel.pipeline().get(ServerHandshakeHandler.class)).isNull();
        server.channel.checkException();
    }

    @Test
    void aHelloFromAnotherClusterIsRefusedWithTheReason() {
        assertRefused(EmbeddedServer.hello("other-cluster", EmbeddedServer.PEER, 1, 1), RefuseReason.WRONG_CLUSTER,
                "other-cluster");
    }

    @Test
    void aHelloFromAnUnknownNodeIsRefused() {
        assertRefused(EmbeddedServer.hello(EmbeddedServer.CLUSTER, 99, 1, 1), RefuseReason.UNKNOWN_NODE, "99");
    }

    @Test
    void aHelloWithoutACommonVersionIsRefused() {
        assertRefused(EmbeddedServer.hello(EmbeddedServer.CLUSTER, EmbeddedServer.PEER, 7, 9),
                RefuseReason.INCOMPATIBLE_VERSION, "7..9");
    }

    @Test
    void aNewerPeerIsAcceptedAtTheHighestCommonVersion() {
        server.writeFrame(EmbeddedServer.hello(EmbeddedServer.CLUSTER, EmbeddedServer.PEER, 1, 5));
        List<ByteBuf> answers = server.readFrames();
        ByteBuf ack = answers.get(0);
        assertThat(HandshakeCodec.readHeader(ack)).isEqualTo(WireFormat.HELLO_ACK);
        assertThat(HandshakeCodec.decodeAck(ack).version()).isEqualTo(WireFormat.MAX_VERSION);
        answers.forEach(ByteBuf::release);
    }

    @Test
    void aMessageBeforeTheHelloIsAProtocolError() {
        server.writeFrame(EmbeddedServer.frameOf(new VoteRequest(2, 1, 1, LogId.ZERO, true)));
        assertProtocolError();
    }

    @Test
    void aForeignProtocolIsAProtocolError() {
        server.writeBytes(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
        assertProtocolError();
    }

    @Test
    void aLargeFrameBeforeTheHandshakeIsRefusedBeforeItIsBuffered() {
        server.writeBytes(Unpooled.buffer().writeInt(WireFormat.MAX_HANDSHAKE_FRAME_BYTES + 1).writeZero(16));
        assertProtocolError();
    }

    @Test
    void aConnectionThatNeverSaysHelloIsClosedAfterTheTimeout() {
        server.writeBytes(Unpooled.buffer().writeInt(100).writeZero(10)); // a partial frame, then silence
        server.channel.advanceTimeBy(4999, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.channel.isOpen()).isTrue();
        server.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.channel.isOpen()).isFalse();
        server.channel.checkException();
    }

    private void assertRefused(ByteBuf hello, RefuseReason reason, String text) {
        server.writeFrame(hello);
        List<ByteBuf> answers = server.readFrames();
        assertThat(answers).hasSize(1);
        ByteBuf refuse = answers.get(0);
        assertThat(HandshakeCodec.readHeader(refuse)).isEqualTo(WireFormat.REFUSE);
        HandshakeCodec.Refuse decoded = HandshakeCodec.decodeRefuse(refuse);
        refuse.release();
        assertThat(decoded.reason()).isEqualTo(reason);
        assertThat(decoded.message()).contains(text);
        server.channel.runPendingTasks();
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.context.counters.handshakesRefused.sum()).isEqualTo(1);
        assertThat(server.context.counters.protocolErrors.sum()).isZero();
        assertThat(server.delivered).isEmpty();
        server.channel.checkException();
    }

    private void assertProtocolError() {
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.context.counters.protocolErrors.sum()).isEqualTo(1);
        assertThat(server.delivered).isEmpty();
        server.channel.checkException();
    }
}
