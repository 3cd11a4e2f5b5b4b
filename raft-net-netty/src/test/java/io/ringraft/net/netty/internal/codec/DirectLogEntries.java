package io.ringraft.net.netty.internal.codec;

import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link LogEntries} view whose payloads live off-heap and are handed out as flyweights over raw
 * addresses, like the runtime's ring: exercises the encoder's address-based copy path.
 */
public final class DirectLogEntries implements LogEntries {

    private final long firstIndex;
    private final long[] terms;
    private final EntryKind[] kinds;
    private final int[] offsets;
    private final int[] lengths;
    private final ByteBuffer memory;
    private final long address;
    private final UnsafeBuffer flyweight = new UnsafeBuffer(0, 0);

    public DirectLogEntries(LogEntries source) {
        int count = source.count();
        this.firstIndex = source.firstIndex();
        this.terms = new long[count];
        this.kinds = new EntryKind[count];
        this.offsets = new int[count];
        this.lengths = new int[count];
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += source.payloadAt(i).capacity();
        }
        this.memory = ByteBuffer.allocateDirect(Math.max(1, total));
        this.address = BufferUtil.address(memory);
        UnsafeBuffer writer = new UnsafeBuffer(memory);
        int position = 0;
        for (int i = 0; i < count; i++) {
            DirectBuffer payload = source.payloadAt(i);
            terms[i] = source.termAt(i);
            kinds[i] = source.kindAt(i);
            offsets[i] = position;
            lengths[i] = payload.capacity();
            writer.putBytes(position, payload, 0, payload.capacity());
            position += payload.capacity();
        }
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int count() {
        return terms.length;
    }

    @Override
    public long termAt(int offset) {
        return terms[offset];
    }

    @Override
    public EntryKind kindAt(int offset) {
        return kinds[offset];
    }

    @Override
    public DirectBuffer payloadAt(int offset) {
        flyweight.wrap(address + offsets[offset], lengths[offset]);
        return flyweight;
    }
}
