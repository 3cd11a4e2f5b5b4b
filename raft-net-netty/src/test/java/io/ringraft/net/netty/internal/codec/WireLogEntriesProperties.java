package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.Releasable;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The decoded entries of an AppendEntries are a view over the frame's buffer, whatever memory it is
 * in: they read exactly what was encoded, without a copy where the memory allows; they hold one
 * reference to the frame until released, once; and they refuse to be read after that.
 */
class WireLogEntriesProperties {

    private static final int MAX_FRAME = 64 * 1024;
    /** Bytes before and after the frame in its buffer, as in a socket read holding several frames. */
    private static final int BEFORE = 7;
    private static final int AFTER = 5;

    static {
        NettyLeaks.listen();
    }

    /** Memory a frame can arrive in. */
    enum Memory {
        HEAP, POOLED_HEAP, UNPOOLED_DIRECT, POOLED_DIRECT, DEFAULT_DIRECT, COMPOSITE
    }

    @Provide
    Arbitrary<AppendEntriesRequest> appendRequests() {
        return TestMessages.appendRequests().filter(r -> r.entries().count() > 0);
    }

    @Property(tries = 300)
    void decodedEntriesReadWhatWasEncodedAndGiveTheFrameBackOnce(
            @ForAll("appendRequests") AppendEntriesRequest sent, @ForAll Memory memory) {
        ByteBuf frame = frameIn(memory, sent);
        int before = frame.refCnt();
        AppendEntriesRequest received = (AppendEntriesRequest) MessageCodec.decode(frame).message();
        LogEntries entries = received.entries();
        assertThat(WireEntriesProbe.isWire(entries)).isTrue();
        assertThat(frame.refCnt()).as("the view holds one reference to the frame").isEqualTo(before + 1);

        TestMessages.assertSame(received, sent);
        assertPayloadsAreViews(entries, frame, memory);

        Releasable.release(received);
        assertThat(WireEntriesProbe.isReleased(entries)).isTrue();
        assertThat(frame.refCnt()).as("reference given back").isEqualTo(before);
        Releasable.release(received); // idempotent
        ((Releasable) entries).release();
        assertThat(frame.refCnt()).as("given back once only").isEqualTo(before);
        assertReadsFail(entries);

        frame.release();
        assertThat(frame.refCnt()).isZero();
        assertThat(WireEntriesProbe.buffer(entries).refCnt()).isZero();
    }

    @Example
    void payloadsOfEveryKindAndSizeReadBackInEveryMemory() {
        byte[] large = new byte[20_000];
        new java.util.Random(3).nextBytes(large);
        HeapLogEntries entries = HeapLogEntries.builder(41).add(5, EntryKind.NOOP, new byte[0])
                .add(6, EntryKind.COMMAND, new byte[] {1, 2, 3}).add(6, EntryKind.COMMAND, large)
                .add(7, EntryKind.COMMAND, new byte[0]).build();
        AppendEntriesRequest sent = new AppendEntriesRequest(1, 2, 7, new LogId(5, 40), entries, 39);
        for (Memory memory : Memory.values()) {
            ByteBuf frame = frameIn(memory, sent);
            AppendEntriesRequest received = (AppendEntriesRequest) MessageCodec.decode(frame).message();
            LogEntries view = received.entries();
            assertThat(view.firstIndex()).isEqualTo(41);
            assertThat(view.count()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(view.termAt(i)).as("%s term %d", memory, i).isEqualTo(entries.termAt(i));
                assertThat(view.kindAt(i)).as("%s kind %d", memory, i).isEqualTo(entries.kindAt(i));
                assertThat(bytes(view.payloadAt(i))).as("%s payload %d", memory, i).isEqualTo(bytes(entries.payloadAt(i)));
            }
            assertThat(view.toString()).contains("41..44");
            Releasable.release(received);
            assertThat(view.toString()).contains("released");
            frame.release();
            assertThat(frame.refCnt()).as(memory.name()).isZero();
        }
    }

    @Example
    void aRequestTheRecordRejectsRetainsNothing() {
        HeapLogEntries entries = HeapLogEntries.builder(1).add(1, EntryKind.COMMAND, new byte[10]).build();
        ByteBuf frame = frameIn(Memory.POOLED_DIRECT, new AppendEntriesRequest(1, 2, 1, LogId.ZERO, entries, 0));
        frame.setLong(WireFormat.HEADER_BYTES, 0); // from = 0: valid entries, invalid message
        int before = frame.refCnt();
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOf(MalformedFrameException.class);
        assertThat(frame.refCnt()).isEqualTo(before);
        frame.release();
        assertThat(frame.refCnt()).isZero();
    }

    @Example
    void aFrameWithABadEntryRetainsNothing() {
        HeapLogEntries entries = HeapLogEntries.builder(1).add(1, EntryKind.COMMAND, new byte[10])
                .add(1, EntryKind.COMMAND, new byte[10]).build();
        ByteBuf frame = frameIn(Memory.POOLED_DIRECT, new AppendEntriesRequest(1, 2, 1, LogId.ZERO, entries, 0));
        int secondKind = WireFormat.HEADER_BYTES + AppendCodec.REQUEST_FIXED_BYTES + AppendCodec.ENTRY_HEADER_BYTES
                + 10 + Long.BYTES;
        frame.setByte(secondKind, 99);
        int before = frame.refCnt();
        assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("unknown kind");
        assertThat(frame.refCnt()).isEqualTo(before);
        frame.release();
        assertThat(frame.refCnt()).isZero();
    }

    @Example
    void aHeartbeatHoldsNoBuffer() {
        ByteBuf frame = frameIn(Memory.POOLED_DIRECT,
                new AppendEntriesRequest(1, 2, 3, new LogId(3, 9), LogEntries.empty(10), 9));
        int before = frame.refCnt();
        AppendEntriesRequest received = (AppendEntriesRequest) MessageCodec.decode(frame).message();
        assertThat(WireEntriesProbe.isWire(received.entries())).isFalse();
        assertThat(frame.refCnt()).isEqualTo(before);
        Releasable.release(received); // nothing to do
        frame.release();
        assertThat(frame.refCnt()).isZero();
    }

    /**
     * Payload flyweights read the frame's own buffer (a retained slice of it), whatever memory it is
     * in, composite buffers included: no payload is copied.
     */
    private static void assertPayloadsAreViews(LogEntries entries, ByteBuf frame, Memory memory) {
        ByteBuf slice = ((WireLogEntries) entries).buffer();
        for (int i = 0; i < entries.count(); i++) {
            Bytes payload = entries.payloadAt(i);
            assertThat(payload).as(memory.name()).isInstanceOf(ByteBufBytes.class);
            assertThat(((ByteBufBytes) payload).buffer()).as(memory.name()).isSameAs(slice);
            if (payload.length() > 0) {
                // the same memory: a byte changed in the frame's buffer shows through the payload
                int at = ((ByteBufBytes) payload).index();
                byte before = payload.getByte(0);
                slice.setByte(at, before + 1);
                assertThat(payload.getByte(0)).as(memory.name()).isEqualTo((byte) (before + 1));
                slice.setByte(at, before);
            }
        }
    }

    private static void assertReadsFail(LogEntries entries) {
        assertThatThrownBy(() -> entries.termAt(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released");
        assertThatThrownBy(() -> entries.kindAt(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> entries.payloadAt(0)).isInstanceOf(IllegalStateException.class);
        assertThat(entries.count()).isPositive(); // the view's own fields stay readable (for logs)
    }

    /**
     * {@code message} encoded into a frame in {@code memory}: a retained slice in the middle of a
     * larger buffer, as the frame decoder cuts frames out of a socket read. The caller owns the frame
     * (the larger buffer goes when the frame does).
     */
    static ByteBuf frameIn(Memory memory, AppendEntriesRequest message) {
        ByteBuf encoded = MessageCodec.encode(ByteBufAllocator.DEFAULT, 3, message, MAX_FRAME);
        int length = encoded.readableBytes();
        int capacity = BEFORE + length + AFTER;
        ByteBuf read = switch (memory) {
            case HEAP -> Unpooled.buffer(capacity);
            case POOLED_HEAP -> PooledByteBufAllocator.DEFAULT.heapBuffer(capacity);
            case UNPOOLED_DIRECT -> UnpooledByteBufAllocator.DEFAULT.directBuffer(capacity);
            case POOLED_DIRECT -> PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
            case DEFAULT_DIRECT -> ByteBufAllocator.DEFAULT.directBuffer(capacity);
            case COMPOSITE -> {
                int half = length / 2;
                CompositeByteBuf composite = Unpooled.compositeBuffer();
                composite.addComponent(true, Unpooled.buffer().writeZero(BEFORE).writeBytes(encoded, 0, half));
                composite.addComponent(true, Unpooled.buffer().writeBytes(encoded, half, length - half).writeZero(AFTER));
                yield composite;
            }
        };
        if (memory != Memory.COMPOSITE) {
            read.writeZero(BEFORE).writeBytes(encoded, 0, length).writeZero(AFTER);
        }
        encoded.release();
        ByteBuf frame = read.retainedSlice(BEFORE, length);
        read.release();
        return frame;
    }

    private static byte[] bytes(Bytes buffer) {
        return buffer.toByteArray();
    }
}
