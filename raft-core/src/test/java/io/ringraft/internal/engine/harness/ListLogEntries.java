package io.ringraft.internal.engine.harness;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import java.util.List;

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
    public Bytes payloadAt(int offset) {
        return Bytes.wrap(entries.get(offset).payload());
    }

    /**
     * Copies entries {@code from .. count-1} of a view into harness entries. Views the harness made
     * are shared directly (their entries are immutable); other views are copied through
     * {@link #payloadAt}.
     */
    static List<SimEntry> copy(LogEntries view, int from) {
        if (view instanceof ListLogEntries own) {
            return own.entries.subList(from, own.entries.size());
        }
        SimEntry[] out = new SimEntry[view.count() - from];
        for (int i = from; i < view.count(); i++) {
            byte[] bytes = view.payloadAt(i).toByteArray();
            out[i - from] = new SimEntry(view.termAt(i), view.kindAt(i), bytes);
        }
        return List.of(out);
    }

    @Override
    public String toString() {
        return "ListLogEntries[" + firstIndex + ".." + lastIndex() + " " + entries + "]";
    }
}
