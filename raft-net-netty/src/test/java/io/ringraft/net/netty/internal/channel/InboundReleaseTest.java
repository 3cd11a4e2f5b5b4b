package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.net.netty.internal.codec.NettyLeaks;
import io.ringraft.net.netty.internal.codec.WireEntriesProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Received AppendEntries hold their socket read's buffer (their entries are views over it) until
 * released. Whatever the dispatcher drops before a node took it, it releases at once: the read's
 * reference count falls back as soon as the message is dropped, not when the connection closes.
 */
class InboundReleaseTest {

    private static final long MAX_PAUSE_MILLIS = 50;
    private static final int MAX_HELD = 2;

    static {
        NettyLeaks.listen();
    }

    private final EmbeddedServer server = new EmbeddedServer(EmbeddedServer.settings(64 * 1024,
            TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS), MAX_HELD)).handshake();
    private final List<ByteBuf> reads = new ArrayList<>();

    @AfterEach
    void everyReadIsReleased() {
        server.channel.finishAndReleaseAll();
        for (ByteBuf read : reads) {
            assertThat(read.refCnt()).as("socket read released").isZero();
        }
    }

    private static AppendEntriesRequest append(long to, long prevIndex) {
        HeapLogEntries entries = HeapLogEntries.builder(prevIndex + 1).add(1, EntryKind.COMMAND, new byte[100])
                .add(1, EntryKind.COMMAND, new byte[] {(byte) prevIndex}).build();
        return new AppendEntriesRequest(EmbeddedServer.PEER, to, 1, new LogId(1, prevIndex), entries, 0);
    }

    /** {@code messages}, framed, in one socket read of pooled direct memory (or heap), owned by the pipeline. */
    private ByteBuf read(boolean direct, RaftMessage... messages) {
        ByteBuf read = direct ? PooledByteBufAllocator.DEFAULT.directBuffer() : Unpooled.buffer();
        for (RaftMessage message : messages) {
            ByteBuf frame = EmbeddedServer.frameOf(message);
            read.writeInt(frame.readableBytes()).writeBytes(frame);
            frame.release();
        }
        reads.add(read);
        server.writeBytes(read);
        return read;
    }

    private void advance(long millis) {
        server.channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAppendForANodeThatIsNotHereIsReleasedAtOnce(boolean direct) {
        ByteBuf read = read(direct, append(42, 10));
        assertThat(server.context.counters.inboundDroppedNoNode.sum()).isEqualTo(1);
        assertThat(read.refCnt()).isZero();
        assertThat(server.channel.isOpen()).isTrue();
    }

    @Test
    void anAppendWhoseNodeThrowsFromOfferIsReleased() {
        server.context.router.register(EmbeddedServer.GROUP, 5, m -> {
            throw new IllegalStateException("broken node");
        });
        ByteBuf read = read(true, append(5, 10));
        assertThat(server.context.counters.inboundDroppedNoNode.sum()).isEqualTo(1);
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void anAcceptedAppendBelongsToTheNodeUntilItReleasesIt() {
        List<RaftMessage> kept = new ArrayList<>();
        server.context.router.register(EmbeddedServer.GROUP, 5, m -> kept.add(m)); // accepts, releases later
        ByteBuf read = read(true, append(5, 10), append(5, 12));
        assertThat(kept).hasSize(2);
        assertThat(read.refCnt()).as("one reference per message the node holds").isEqualTo(2);
        assertThat(kept.get(0).term()).isEqualTo(1);
        assertThat(((AppendEntriesRequest) kept.get(1)).entries().payloadAt(1).getByte(0)).isEqualTo((byte) 12);
        Releasable.release(kept.get(0));
        assertThat(read.refCnt()).isEqualTo(1);
        Releasable.release(kept.get(1));
        assertThat(read.refCnt()).isZero();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void appendsBeyondTheHeldLimitAreReleasedAtOnceAndTheHeldOnesWhenDelivered(boolean direct) {
        server.full = m -> true;
        ByteBuf read = read(direct, append(EmbeddedServer.SELF, 10), append(EmbeddedServer.SELF, 12),
                append(EmbeddedServer.SELF, 14), append(EmbeddedServer.SELF, 16));
        assertThat(server.dispatcher().heldCount()).isEqualTo(MAX_HELD);
        assertThat(server.context.counters.inboundDroppedFull.sum()).isEqualTo(2);
        assertThat(read.refCnt()).as("only the held messages keep the read").isEqualTo(MAX_HELD);

        server.full = m -> false; // the node takes them (and releases them, as a node does)
        advance(1);
        assertThat(server.delivered).hasSize(MAX_HELD);
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void appendsStillRefusedAtTheEndOfThePauseAreReleased() {
        server.full = m -> true;
        ByteBuf read = read(true, append(EmbeddedServer.SELF, 10), append(EmbeddedServer.SELF, 12));
        assertThat(read.refCnt()).isEqualTo(2);
        for (long waited = 0; waited <= MAX_PAUSE_MILLIS + 32 && !server.channel.config().isAutoRead(); waited++) {
            advance(1);
        }
        assertThat(server.channel.config().isAutoRead()).isTrue();
        assertThat(server.context.counters.inboundDroppedFull.sum()).isEqualTo(2);
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void appendsHeldWhenTheConnectionClosesAreReleased() {
        server.full = m -> true;
        ByteBuf read = read(true, append(EmbeddedServer.SELF, 10), append(EmbeddedServer.SELF, 12));
        assertThat(read.refCnt()).isEqualTo(2);
        server.channel.close();
        server.channel.runPendingTasks();
        assertThat(read.refCnt()).isZero();
        server.channel.checkException();
    }

    @Test
    void appendsHeldWhenTheDispatcherIsRemovedAreReleased() {
        server.full = m -> true;
        ByteBuf read = read(true, append(EmbeddedServer.SELF, 10), append(EmbeddedServer.SELF, 12));
        assertThat(read.refCnt()).isEqualTo(2);
        server.channel.pipeline().remove(InboundDispatcher.class);
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void framesReadAfterAnErrorAreNotDecodedAndRetainNothing() {
        server.full = m -> true;
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer();
        ByteBuf good = EmbeddedServer.frameOf(append(EmbeddedServer.SELF, 10));
        read.writeInt(good.readableBytes()).writeBytes(good);
        good.release();
        read.writeInt(10).writeZero(10); // a bad frame: the connection closes
        ByteBuf after = EmbeddedServer.frameOf(append(EmbeddedServer.SELF, 12));
        read.writeInt(after.readableBytes()).writeBytes(after);
        after.release();
        reads.add(read);
        server.writeBytes(read);
        server.channel.runPendingTasks();
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.context.counters.protocolErrors.sum()).isEqualTo(1);
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void theEntriesOfADeliveredAppendAreAViewOverTheRead() {
        List<RaftMessage> kept = new ArrayList<>();
        server.context.router.register(EmbeddedServer.GROUP, 5, m -> kept.add(m));
        ByteBuf read = read(true, append(5, 10));
        AppendEntriesRequest received = (AppendEntriesRequest) kept.get(0);
        assertThat(WireEntriesProbe.isWire(received.entries())).isTrue();
        assertThat(WireEntriesProbe.isReleased(received.entries())).isFalse();
        assertThat(read.refCnt()).isEqualTo(1);
        Releasable.release(received);
        assertThat(WireEntriesProbe.isReleased(received.entries())).isTrue();
        assertThat(read.refCnt()).isZero();
    }
}
