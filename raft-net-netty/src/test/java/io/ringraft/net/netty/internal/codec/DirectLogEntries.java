package io.ringraft.net.netty.internal.codec;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import java.nio.ByteBuffer;

/**
 * A {@link LogEntries} view whose payloads live in direct memory and are handed out as views of a
 * direct {@link ByteBuffer} (no array behind them), unlike the runtime's heap ring: exercises the
 * encoder's copy from a view of any memory.
 */
public final class DirectLogEntries implements LogEntries {

    private final long firstIndex;
    private final long[] terms;
    private final EntryKind[] kinds;
    private final int[] offsets;
    private final int[] lengths;
    private final ByteBuffer memory;

    public DirectLogEntries(LogEntries source) {
        int count = source.count();
        this.firstIndex = source.firstIndex();
        this.terms = new long[count];
        this.kinds = new EntryKind[count];
        this.offsets = new int[count];
        this.lengths = new int[count];
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += source.payloadAt(i).length();
        }
        this.memory = ByteBuffer.allocateDirect(Math.max(1, total));
        for (int i = 0; i < count; i++) {
            Bytes payload = source.payloadAt(i);
            terms[i] = source.termAt(i);
            kinds[i] = source.kindAt(i);
            offsets[i] = memory.position();
            lengths[i] = payload.length();
            payload.getBytes(0, memory, payload.length());
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
    public Bytes payloadAt(int offset) {
        return Bytes.wrap(memory.slice(offsets[offset], lengths[offset]));
    }
}
