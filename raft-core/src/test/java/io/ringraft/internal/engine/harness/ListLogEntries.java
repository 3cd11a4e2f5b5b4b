package io.ringraft.internal.engine.harness;

import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An immutable {@link LogEntries} backed by a list of {@link SimEntry}: stays valid for as long as a
 * message carrying it is in flight, however long the harness keeps it.
 */
final class ListLogEntries implements LogEntries {

    private final long firstIndex;
    private final List<SimEntry> entries;

    ListLogEntries(long firstIndex, List<SimEntry> entries) {
        if (firstIndex < 1) {
            throw new IllegalArgumentException("firstIndex must be >= 1, got " + firstIndex);
        }
        this.firstIndex = firstIndex;
        this.entries = List.copyOf(entries);
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int count() {
        return entries.size();
    }

    @Override
    public long termAt(int offset) {
        return entries.get(offset).term();
    }

    @Override
    public EntryKind kindAt(int offset) {
        return entries.get(offset).kind();
    }

    @Override
    public DirectBuffer payloadAt(int offset) {
        return new UnsafeBuffer(entries.get(offset).payload());
    }

    /**
     * Copies entries {@code from .. count-1} of a view into harness entries. Views the harness made
     * are copied directly (no buffer is created: Agrona's buffers need module exports the test JVM
     * may lack); other views through {@link #payloadAt}.
     */
    static List<SimEntry> copy(LogEntries view, int from) {
        if (view instanceof ListLogEntries own) {
            return own.entries.subList(from, own.entries.size());
        }
        SimEntry[] out = new SimEntry[view.count() - from];
        for (int i = from; i < view.count(); i++) {
            DirectBuffer buffer = view.payloadAt(i);
            byte[] bytes = new byte[buffer.capacity()];
            buffer.getBytes(0, bytes);
            out[i - from] = new SimEntry(view.termAt(i), view.kindAt(i), bytes);
        }
        return List.of(out);
    }

    @Override
    public String toString() {
        return "ListLogEntries[" + firstIndex + ".." + lastIndex() + " " + entries + "]";
    }
}
