package io.ringraft.internal.simdisk;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One simulated node's disk at the level of log changes: the DURABLE state (vote, base, entries) and
 * the ordered list of PENDING changes (append batches, truncations, purges) that a
 * {@link SimLogStorage} has made but not yet flushed. Pending changes live here, not in the storage,
 * because they model the machine's page cache: a process restart ({@link SimLogStorage#close()} then a
 * new storage) still sees them, only a {@link #crash} decides their fate.
 *
 * <p><b>Crash model.</b> {@link #crash} applies a {@link CrashMode} to the pending changes, in order:
 * {@link CrashMode#LOST} drops them, {@link CrashMode#KEPT} makes them all durable, and
 * {@link CrashMode#TORN} makes a random prefix of them durable, possibly followed by a prefix of the
 * entries of the next append batch (a torn batch: equivalent to that batch having been appended one
 * entry at a time). It never makes a change durable without every earlier one, because
 * {@code LogStorage} promises in-order effect; truncations and purges are atomic. A raw disk does
 * persist writes out of order; hiding that (with checksums, ordered fsyncs, atomic renames) is the job
 * of a real storage engine, and the byte- and file-level model of torn and reordered writes belongs to
 * raft-storage's tests, not here. The vote is not part of this order: it is durable as soon as it is
 * saved, as with a separate vote file.
 *
 * <p><b>Faults.</b> {@link #failNextFlush()} and {@link #failFlushesWithProbability} make a flush throw
 * {@link IOException} and, as Linux does after a failed fsync ("fsyncgate"), drop the pending changes,
 * so a retried flush would "succeed" without the data. {@link #setCapacityEntries} makes appends fail
 * with "no space left" once the entries durable plus those in pending append batches would exceed the
 * capacity (space is reclaimed only when a flush makes truncations and purges durable).
 *
 * <p><b>Threads and determinism.</b> Used by the simulator's single thread; every method is
 * synchronized on this disk (as are all {@link SimLogStorage} calls on it), so a test with real
 * threads is also safe. Nothing blocks. All randomness comes from the {@link SplittableRandom}s passed
 * in, so a seed replays the same faults.
 */
public final class SimDisk {

    /** What a crash does to pending (unflushed) changes. */
    public enum CrashMode {
        /** Every pending change is lost: the disk holds exactly what the last flush made durable. */
        LOST,
        /** Every pending change had reached the platter. */
        KEPT,
        /** A random in-order prefix of the pending changes survives, the last append batch maybe torn. */
        TORN
    }

    private Vote durableVote = Vote.INITIAL;
    private final Log durable = new Log();
    private final List<Change> pending = new ArrayList<>();
    /** Entries in pending append batches (for the capacity check). */
    private long pendingEntries;

    /** Bumped by each crash; a storage opened in an earlier incarnation is dead. */
    private int incarnation;
    /** The storage currently open on this disk, or null. */
    private SimLogStorage owner;

    private boolean failNextFlush;
    private double flushFailureProbability;
    private SplittableRandom flushFailureRandom;
    private long capacityEntries = Long.MAX_VALUE;

    /** A new, empty disk. */
    public SimDisk() {
    }

    // ------------------------------------------------------------------ crash

    /**
     * The node crashes (power loss): pending changes are resolved by {@code mode}, using {@code rnd}
     * for {@link CrashMode#TORN}, and the storage open on this disk, if any, is dead (every call on it
     * throws {@link IOException}). A new {@link SimLogStorage} on this disk then opens the durable state.
     */
    public synchronized void crash(SplittableRandom rnd, CrashMode mode) {
        Objects.requireNonNull(rnd, "rnd");
        switch (Objects.requireNonNull(mode, "mode")) {
            case LOST -> {
            }
            case KEPT -> pending.forEach(durable::apply);
            case TORN -> {
                int cut = rnd.nextInt(pending.size() + 1);
                for (int i = 0; i < cut; i++) {
                    durable.apply(pending.get(i));
                }
                if (cut < pending.size() && pending.get(cut) instanceof Append torn && torn.entries().count() > 1) {
                    int kept = rnd.nextInt(torn.entries().count());
                    if (kept > 0) {
                        durable.append(HeapLogEntries.copyOf(torn.entries(), 0, kept));
                    }
                }
            }
            default -> throw new AssertionError(mode);
        }
        pending.clear();
        pendingEntries = 0;
        incarnation++;
        owner = null;
    }

    // ------------------------------------------------------------------ faults

    /** The next flush fails (and drops the pending changes). */
    public synchronized void failNextFlush() {
        failNextFlush = true;
    }

    /** Each later flush fails with probability {@code p}, drawn from {@code rnd}; {@code p = 0} turns this off. */
    public synchronized void failFlushesWithProbability(double p, SplittableRandom rnd) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        flushFailureProbability = p;
        flushFailureRandom = Objects.requireNonNull(rnd, "rnd");
    }

    /** Appends fail with "no space left" once durable plus pending entries would exceed {@code entries}. */
    public synchronized void setCapacityEntries(long entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + entries);
        }
        capacityEntries = entries;
    }

    // ------------------------------------------------------------------ inspection for invariant checks

    /** The vote that would survive a crash now. */
    public synchronized Vote durableVote() {
        return durableVote;
    }

    /** The base (last purged entry) that would survive a crash with {@link CrashMode#LOST} now. */
    public synchronized LogId durableBase() {
        return durable.base;
    }

    /** The last entry (or the base) that would survive a crash with {@link CrashMode#LOST} now. */
    public synchronized LogId durableLast() {
        return durable.last();
    }

    /** A copy of the entries that would survive a crash with {@link CrashMode#LOST} now, from base + 1. */
    public synchronized HeapLogEntries durableEntries() {
        return durable.entries();
    }

    /** How many changes are waiting for a flush. */
    public synchronized int pendingChangeCount() {
        return pending.size();
    }

    /** How many crashes this disk has been through. */
    public synchronized int incarnation() {
        return incarnation;
    }

    @Override
    public synchronized String toString() {
        return "SimDisk[vote=" + durableVote + " base=" + durable.base + " last=" + durable.last()
                + " pending=" + pending.size() + " incarnation=" + incarnation + "]";
    }

    // ------------------------------------------------------------------ used by SimLogStorage (callers hold this lock)

    /** Attaches {@code storage} and returns the current incarnation. */
    int attach(SimLogStorage storage) {
        if (owner != null) {
            throw new IllegalStateException("another storage is open on " + this + "; close it or crash first");
        }
        // Recovery forces what it finds in the page cache: what open() returns must be durable.
        pending.forEach(durable::apply);
        pending.clear();
        pendingEntries = 0;
        owner = storage;
        return incarnation;
    }

    void detach(SimLogStorage storage) {
        if (owner == storage) {
            owner = null;
        }
    }

    /** What a process sees when it opens the disk: the durable log with the pending changes applied. */
    Log pageCacheView() {
        Log view = durable.copy();
        pending.forEach(view::apply);
        return view;
    }

    void saveVote(Vote vote) {
        durableVote = vote;
    }

    void addPending(Change change) throws IOException {
        if (change instanceof Append append) {
            long used = durable.entries.size() + pendingEntries;
            if (used + append.entries().count() > capacityEntries) {
                throw new IOException("no space left on device: " + used + " entries used, appending "
                        + append.entries().count() + " would exceed the capacity of " + capacityEntries);
            }
            pendingEntries += append.entries().count();
        }
        pending.add(change);
    }

    void flush() throws IOException {
        boolean fail = failNextFlush
                || (flushFailureProbability > 0 && flushFailureRandom.nextDouble() < flushFailureProbability);
        failNextFlush = false;
        if (fail) {
            int dropped = pending.size();
            pending.clear();
            pendingEntries = 0;
            throw new IOException("simulated fsync failure (EIO); " + dropped
                    + " pending changes were dropped from the page cache");
        }
        pending.forEach(durable::apply);
        pending.clear();
        pendingEntries = 0;
    }

    // ------------------------------------------------------------------ changes and the log they apply to

    /** One pending change, already validated against the log it applies to. */
    sealed interface Change permits Append, Truncate, Purge, Reset {
    }

    /** Appends owned entries right after the last one. */
    record Append(HeapLogEntries entries) implements Change {
    }

    /** Removes entries from {@code fromIndex} on. */
    record Truncate(long fromIndex) implements Change {
    }

    /** Removes entries up to {@code upToIndex}, which becomes the base. */
    record Purge(long upToIndex) implements Change {
    }

    /** Discards every entry; the log continues after {@code base}. */
    record Reset(LogId base) implements Change {
    }

    /** A log as a base and a list of entries; no validation (callers validated the changes). */
    static final class Log {
        private record Entry(long term, EntryKind kind, byte[] payload) {
        }

        private LogId base = LogId.ZERO;
        /** Entry {@code base.index() + 1 + i} is {@code entries.get(i)}; payloads are never modified. */
        private final ArrayList<Entry> entries = new ArrayList<>();

        LogId base() {
            return base;
        }

        LogId last() {
            return entries.isEmpty() ? base : new LogId(entries.get(entries.size() - 1).term, lastIndex());
        }

        long lastIndex() {
            return base.index() + entries.size();
        }

        /** Term at {@code index}, the base term at the base, -1 otherwise. */
        long termAt(long index) {
            if (index == base.index()) {
                return base.term();
            }
            if (index < base.index() || index > lastIndex()) {
                return -1;
            }
            return entries.get((int) (index - base.index() - 1)).term;
        }

        void apply(Change change) {
            if (change instanceof Append append) {
                append(append.entries());
            } else if (change instanceof Truncate truncate) {
                truncate(truncate.fromIndex());
            } else if (change instanceof Purge purge) {
                purge(purge.upToIndex());
            } else if (change instanceof Reset reset) {
                entries.clear();
                base = reset.base();
            }
        }

        /** Appends owned entries (their payload arrays are kept, not copied). */
        void append(HeapLogEntries owned) {
            for (int i = 0; i < owned.count(); i++) {
                entries.add(new Entry(owned.termAt(i), owned.kindAt(i), owned.payloadBytes(i)));
            }
        }

        void truncate(long fromIndex) {
            entries.subList((int) (fromIndex - base.index() - 1), entries.size()).clear();
        }

        void purge(long upToIndex) {
            if (upToIndex <= base.index()) {
                return;
            }
            int count = (int) (upToIndex - base.index());
            LogId newBase = new LogId(entries.get(count - 1).term, upToIndex);
            entries.subList(0, count).clear();
            base = newBase;
        }

        Log copy() {
            Log copy = new Log();
            copy.base = base;
            copy.entries.addAll(entries);
            return copy;
        }

        /** Up to {@code maxCount} entries from {@code fromIndex > base}, capped at {@code maxBytes} but at least one. */
        HeapLogEntries read(long fromIndex, int maxCount, int maxBytes) {
            HeapLogEntries.Builder builder = HeapLogEntries.builder(fromIndex);
            long bytes = 0;
            for (long index = fromIndex; index <= lastIndex() && index - fromIndex < maxCount; index++) {
                Entry entry = entries.get((int) (index - base.index() - 1));
                bytes += entry.payload.length;
                if (index > fromIndex && bytes > maxBytes) {
                    break;
                }
                builder.add(entry.term, entry.kind, entry.payload);
            }
            return builder.build();
        }

        HeapLogEntries entries() {
            return read(base.index() + 1, Integer.MAX_VALUE, Integer.MAX_VALUE);
        }
    }
}
