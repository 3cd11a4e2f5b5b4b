package io.ringraft.storage;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable picture of a log for the crash tests: the base and every entry after it. Two pictures
 * are equal when base, terms, kinds and payloads are.
 */
public record ModelLog(LogId base, List<Entry> entries) {

    /** One entry. */
    public record Entry(long term, EntryKind kind, byte[] payload) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.term == term && e.kind == kind && Arrays.equals(e.payload, payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(term) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return term + (kind == EntryKind.NOOP ? "n" : "") + "/" + payload.length + "b#"
                    + Arrays.hashCode(payload);
        }
    }

    public static final ModelLog EMPTY = new ModelLog(LogId.ZERO, List.of());

    public long lastIndex() {
        return base.index() + entries.size();
    }

    public LogId last() {
        return entries.isEmpty() ? base : new LogId(entries.get(entries.size() - 1).term(), lastIndex());
    }

    public long termAt(long index) {
        if (index == base.index()) {
            return base.term();
        }
        if (index < base.index() || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - base.index() - 1)).term();
    }

    public ModelLog append(Entry entry) {
        List<Entry> more = new ArrayList<>(entries);
        more.add(entry);
        return new ModelLog(base, List.copyOf(more));
    }

    public ModelLog truncateFrom(long index) {
        return new ModelLog(base, List.copyOf(entries.subList(0, (int) (index - base.index() - 1))));
    }

    public ModelLog purgeTo(long index) {
        return new ModelLog(new LogId(termAt(index), index),
                List.copyOf(entries.subList((int) (index - base.index()), entries.size())));
    }

    /** The log after {@code resetTo(newBase)}: no entries, continuing at {@code newBase.index() + 1}. */
    public ModelLog resetTo(LogId newBase) {
        return new ModelLog(newBase, List.of());
    }

    /** The entries {@code from .. from + count - 1} as {@link LogEntries}. */
    public HeapLogEntries slice(long from, int count) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(from);
        for (int i = 0; i < count; i++) {
            Entry e = entries.get((int) (from - base.index() - 1) + i);
            builder.add(e.term(), e.kind(), e.payload());
        }
        return builder.build();
    }

    /** What {@code storage} holds, read entry by entry and in one read. */
    public static ModelLog readFrom(LogStorage storage, LogId base, LogId last) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (last.index() > base.index()) {
            LogEntries all = storage.read(base.index() + 1, Integer.MAX_VALUE, Integer.MAX_VALUE);
            HeapLogEntries copy = HeapLogEntries.copyOf(all);
            for (int i = 0; i < copy.count(); i++) {
                entries.add(new Entry(copy.termAt(i), copy.kindAt(i), copy.payloadBytes(i)));
                if (storage.termAt(base.index() + 1 + i) != copy.termAt(i)) {
                    throw new AssertionError("termAt(" + (base.index() + 1 + i) + ") = "
                            + storage.termAt(base.index() + 1 + i) + " but read gives term " + copy.termAt(i));
                }
            }
        }
        return new ModelLog(base, List.copyOf(entries));
    }

    @Override
    public String toString() {
        return "base " + base + " entries " + entries;
    }
}
