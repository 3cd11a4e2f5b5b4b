package io.ringraft.testkit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The doubly linked list of call and return entries that the Wing–Gong–Lowe search walks, with the
 * dancing-links {@link #lift}/{@link #unlift} that remove and restore an operation in O(1).
 * Package-private helper of {@link WglSearch}; not thread-safe.
 */
final class EntryList {

    /** One call or return event; {@code op} indexes the partition's operation list. */
    static final class Entry {
        final int op;
        final boolean isCall;
        final long time;
        /** For a call, its return entry; {@code null} for unknown-outcome operations and for returns. */
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean isCall, long time) {
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    private EntryList() {
    }

    /**
     * Builds the list for {@code ops} and returns its head sentinel. Entries are sorted by time,
     * calls before returns at equal times (so touching intervals count as concurrent), then by
     * operation index. Unknown-outcome operations get a call entry only: with no return they never
     * force a backtrack and may stay unlinearized.
     */
    static Entry build(List<? extends Operation<?, ?>> ops) {
        List<Entry> entries = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation<?, ?> op = ops.get(i);
            Entry call = new Entry(i, true, op.call());
            entries.add(call);
            if (!op.isUnknown()) {
                Entry ret = new Entry(i, false, op.ret());
                call.match = ret;
                entries.add(ret);
            }
        }
        entries.sort(Comparator.<Entry>comparingLong(e -> e.time)
                .thenComparing(e -> !e.isCall)
                .thenComparingInt(e -> e.op));
        Entry head = new Entry(-1, true, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : entries) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    /** Unlinks a call entry and its return entry, if any; they keep their own links for unlift. */
    static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    /** Undoes the matching {@link #lift}; lifts must be undone in reverse order. */
    static void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void unlink(Entry e) {
        e.prev.next = e.next;
        if (e.next != null) {
            e.next.prev = e.prev;
        }
    }

    private static void relink(Entry e) {
        e.prev.next = e;
        if (e.next != null) {
            e.next.prev = e;
        }
    }
}
