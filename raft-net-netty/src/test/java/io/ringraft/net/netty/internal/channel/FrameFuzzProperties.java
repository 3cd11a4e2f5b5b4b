package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringraft.message.RaftMessage;
import io.ringraft.net.netty.internal.codec.TestMessages;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated input against the real inbound pipeline. Whatever arrives: no exception
 * escapes the pipeline, every buffer is released, and either the connection stays open having
 * delivered only valid messages, or it is closed with exactly one counted error.
 */
class FrameFuzzProperties {

    private final List<ByteBuf> inputs = new ArrayList<>();

    @Provide
    Arbitrary<RaftMessage> messages() {
        return TestMessages.messages();
    }

    @Property(tries = 500)
    void randomBytesAfterTheHandshake(@ForAll @Size(max = 2000) byte[] junk) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        server.writeBytes(track(Unpooled.buffer(junk.length + 1).writeBytes(junk)));
        assertSafe(server, 1);
    }

    @Property(tries = 500)
    void randomFramesAfterTheHandshake(@ForAll @Size(max = 8) List<@Size(max = 300) byte[]> bodies) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        for (byte[] body : bodies) {
            server.writeBytes(track(Unpooled.buffer().writeInt(body.length).writeBytes(body)));
        }
        assertSafe(server, 1);
    }

    @Property(tries = 500)
    void randomBytesBeforeTheHandshake(@ForAll @Size(max = 2000) byte[] junk) {
        EmbeddedServer server = new EmbeddedServer();
        server.writeBytes(track(Unpooled.buffer(junk.length + 1).writeBytes(junk)));
        assertSafe(server, 1);
        assertThat(server.delivered).isEmpty();
    }

    @Property(tries = 500)
    void framesWithABitFlippedAreDeliveredValidOrCloseTheConnection(@ForAll("messages") RaftMessage message,
            @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 0, max = 7) int bit) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        ByteBuf frame = EmbeddedServer.frameOf(message);
        int at = position % frame.readableBytes();
        frame.setByte(at, frame.getByte(at) ^ (1 << bit));
        server.writeBytes(track(prefixed(frame, frame.readableBytes())));
        assertSafe(server, 1);
        if (server.channel.isOpen()) {
            assertThat(server.delivered).hasSize(1);
        }
    }

    @Property(tries = 300)
    void truncatedFramesAlwaysCloseTheConnection(@ForAll("messages") RaftMessage message,
            @ForAll @IntRange(min = 1, max = 100_000) int cut) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        ByteBuf frame = EmbeddedServer.frameOf(message);
        int keep = frame.readableBytes() - 1 - (cut - 1) % frame.readableBytes();
        frame.writerIndex(keep);
        server.writeBytes(track(prefixed(frame, keep)));
        assertClosedWithOneError(server);
    }

    @Property(tries = 300)
    void framesWithTrailingBytesAlwaysCloseTheConnection(@ForAll("messages") RaftMessage message,
            @ForAll @Size(min = 1, max = 50) byte[] extra) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        ByteBuf encoded = EmbeddedServer.frameOf(message);
        ByteBuf frame = Unpooled.buffer().writeBytes(encoded).writeBytes(extra);
        encoded.release();
        server.writeBytes(track(prefixed(frame, frame.readableBytes())));
        assertClosedWithOneError(server);
    }

    @Property(tries = 100)
    void oversizedFramesAlwaysCloseTheConnectionBeforeTheyAreBuffered(
            @ForAll @IntRange(min = 64 * 1024 + 1) int claimedLength) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        server.writeBytes(track(Unpooled.buffer().writeInt(claimedLength).writeZero(32)));
        assertClosedWithOneError(server);
    }

    @Property(tries = 200)
    void framesOfAnotherVersionCloseTheConnection(@ForAll("messages") RaftMessage message,
            @ForAll("otherVersions") byte version) {
        EmbeddedServer server = new EmbeddedServer().handshake();
        ByteBuf frame = EmbeddedServer.frameOf(message);
        frame.setByte(0, version);
        server.writeBytes(track(prefixed(frame, frame.readableBytes())));
        assertClosedWithOneError(server);
    }

    @Provide
    Arbitrary<Byte> otherVersions() {
        return Arbitraries.bytes().filter(b -> b != WireFormat.VERSION);
    }

    @Example
    void aStreamCutInsideAFrameIsDiscardedQuietlyWhenTheConnectionCloses() {
        EmbeddedServer server = new EmbeddedServer().handshake();
        ByteBuf frame = EmbeddedServer.frameOf(new io.ringraft.message.VoteResponse(2, 1, 5, true, false));
        ByteBuf partial = prefixed(frame, frame.readableBytes());
        partial.writerIndex(partial.writerIndex() - 3);
        server.writeBytes(track(partial));
        assertThat(server.channel.isOpen()).isTrue();
        server.channel.close();
        server.channel.runPendingTasks();
        server.channel.checkException();
        assertThat(server.delivered).isEmpty();
        assertThat(server.context.counters.protocolErrors.sum()).isZero();
        assertAllReleased(server);
    }

    private ByteBuf track(ByteBuf input) {
        inputs.add(input);
        return input;
    }

    private static ByteBuf prefixed(ByteBuf frame, int length) {
        ByteBuf out = Unpooled.buffer(4 + frame.readableBytes()).writeInt(length).writeBytes(frame);
        frame.release();
        return out;
    }

    private void assertSafe(EmbeddedServer server, int maxErrors) {
        server.channel.runPendingTasks();
        server.channel.checkException(); // nothing reached the end of the pipeline
        long errors = server.context.counters.protocolErrors.sum() + server.context.counters.handshakesRefused.sum()
                + server.context.counters.tlsFailures.sum();
        if (server.channel.isOpen()) {
            assertThat(errors).isZero();
        } else {
            assertThat(errors).isBetween(1L, (long) maxErrors);
        }
        assertAllReleased(server);
    }

    private void assertClosedWithOneError(EmbeddedServer server) {
        server.channel.runPendingTasks();
        server.channel.checkException();
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.context.counters.protocolErrors.sum()).isEqualTo(1);
        assertThat(server.delivered).isEmpty();
        assertAllReleased(server);
    }

    private void assertAllReleased(EmbeddedServer server) {
        server.channel.finishAndReleaseAll();
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).as("input buffer released").isZero();
        }
        inputs.clear();
    }
}
