package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.Releasable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The entries of a received AppendEntries: a view over a retained slice of the frame's pooled
 * buffer (no copy), still in wire layout ({@code term:i64 kind:u8 length:i32 payload} per entry,
 * big-endian), plus the offset of each entry in the slice. Three allocations (slice, offsets, view)
 * whatever the entry count; no per-entry objects or copies. Validated by {@link AppendCodec} before
 * construction.
 *
 * <p><b>Ownership.</b> The view holds one reference to the frame's buffer. Whoever owns the message
 * releases it exactly once through {@link Releasable}: the node once its {@code InboundHandler}
 * accepted the message (its core releases it right after handling it; a stopped or closing node
 * when it drops it), the transport for a message it drops before a node accepted it. {@link #release()}
 * is idempotent: the first call gives the buffer back, later calls do nothing.
 *
 * <p><b>After release</b> {@link #termAt}, {@link #kindAt} and {@link #payloadAt} throw
 * {@link IllegalStateException} rather than read memory the pool may have handed to someone else,
 * and the payload flyweight (a {@link ByteBufBytes} over the slice) is re-pointed at nothing. {@link #firstIndex()} and {@link #count()}
 * (fields of the view, not of the buffer) stay valid, so a released message can still be logged.
 *
 * <p><b>Threads.</b> Built on a Netty event loop, then read by the node's core thread (the inbound
 * queue's hand-off publishes it) and released there; a stopped node, a closing node or the
 * transport may release it on their own thread instead, when nothing reads it any more.
 * {@link #payloadAt} returns a flyweight that the next call re-points, so one thread reads at a
 * time (as with every {@link LogEntries} view).
 */
final class WireLogEntries implements LogEntries, Releasable {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(WireLogEntries.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long firstIndex;
    private final ByteBuf data;
    /** Index in {@code data} of the region's first byte; {@code offsets} are relative to it. */
    private final int base;
    private final int bytes;
    private final int[] offsets;
    private final ByteBufBytes flyweight = new ByteBufBytes();
    private volatile boolean released; // set once, through RELEASED

    /**
     * @param data    the entry region, readable from index 0; the view takes over this reference
     * @param offsets the index in {@code data} of each entry's header
     */
    WireLogEntries(long firstIndex, ByteBuf data, int[] offsets) {
        this.firstIndex = firstIndex;
        this.data = data;
        this.base = data.readerIndex();
        this.bytes = data.readableBytes();
        this.offsets = offsets;
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int count() {
        return offsets.length;
    }

    @Override
    public long termAt(int offset) {
        checkLive();
        return data.getLong(base + offsets[offset]);
    }

    @Override
    public EntryKind kindAt(int offset) {
        checkLive();
        return EntryKind.fromCode(data.getByte(base + offsets[offset] + Long.BYTES));
    }

    @Override
    public Bytes payloadAt(int offset) {
        checkLive();
        int header = offsets[offset];
        int length = data.getInt(base + header + Long.BYTES + 1);
        return flyweight.wrap(data, base + header + AppendCodec.ENTRY_HEADER_BYTES, length);
    }

    /** The slice this view reads (for tests: its reference count). */
    ByteBuf buffer() {
        return data;
    }

    /** True once {@link #release()} was called. */
    boolean isReleased() {
        return released;
    }

    /** Gives the frame's buffer back to its pool; only the first call does anything. */
    @Override
    public void release() {
        if (RELEASED.compareAndSet(this, false, true)) {
            flyweight.clear(); // a flyweight kept by mistake no longer reaches the pooled memory
            data.release();
        }
    }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException("entries " + firstIndex + ".." + lastIndex()
                    + " of a received AppendEntries were read after they were released");
        }
    }

    @Override
    public String toString() {
        return "WireLogEntries[" + firstIndex + ".." + lastIndex() + ", " + bytes + " bytes"
                + (released ? ", released]" : "]");
    }
}
