package io.ringraft.net.netty.internal.codec;

import io.ringraft.api.EntryKind;
import io.ringraft.message.LogEntries;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The entries of a received AppendEntries: a compact view over one heap copy of the frame's entry
 * region, still in wire layout ({@code term:i64 kind:u8 length:i32 payload} per entry), plus the
 * offset of each entry. Three allocations (array, offsets, view) whatever the entry count; no
 * per-entry objects or copies.
 *
 * <p><b>Why one copy instead of a view over the pooled frame buffer.</b> The node keeps the message
 * in its inbound queue and reads the entries later on its core thread; the transport SPI has no
 * signal for "done with this message", so a retained pooled {@code ByteBuf} could never be released
 * at the right time (it would leak, or be recycled under the reader). One bulk copy per frame into
 * memory the garbage collector owns is the safe choice until the SPI gains a release hook.
 *
 * <p>Immutable content; {@link #payloadAt} returns a flyweight that the next call re-points, so one
 * thread reads payloads at a time (as with every {@link LogEntries} view). Validated by
 * {@link AppendCodec} before construction.
 */
final class WireLogEntries implements LogEntries {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final long firstIndex;
    private final byte[] data;
    private final int[] offsets;
    private final UnsafeBuffer flyweight = new UnsafeBuffer(new byte[0]);

    WireLogEntries(long firstIndex, byte[] data, int[] offsets) {
        this.firstIndex = firstIndex;
        this.data = data;
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
        return (long) LONG.get(data, offsets[offset]);
    }

    @Override
    public EntryKind kindAt(int offset) {
        return EntryKind.fromCode(data[offsets[offset] + Long.BYTES]);
    }

    @Override
    public DirectBuffer payloadAt(int offset) {
        int header = offsets[offset];
        int length = (int) INT.get(data, header + Long.BYTES + 1);
        flyweight.wrap(data, header + AppendCodec.ENTRY_HEADER_BYTES, length);
        return flyweight;
    }

    @Override
    public String toString() {
        return "WireLogEntries[" + firstIndex + ".." + lastIndex() + ", " + data.length + " bytes]";
    }
}
