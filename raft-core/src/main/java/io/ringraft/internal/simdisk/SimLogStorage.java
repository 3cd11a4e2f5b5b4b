package io.ringraft.internal.simdisk;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;
import java.util.Objects;

/**
 * The simulator's {@link LogStorage}: one incarnation of a node's storage over its {@link SimDisk}.
 * Appends, truncations and purges are readable at once (they are applied to this incarnation's view,
 * the page cache) and are queued on the disk as pending changes that become durable only when
 * {@link #flush()} returns; {@link #saveVote} is durable on return. After {@link SimDisk#crash} this
 * instance is dead and a new one opens what the crash left.
 *
 * <p><b>Fail-stop.</b> Once a mutation has thrown {@link IOException} (a failed flush, no space left),
 * every further mutation throws {@code IOException("storage failed earlier: ...")}; reads still work.
 * Precondition violations throw {@link IllegalArgumentException} or, for a vote going backwards,
 * {@link IllegalStateException}, change nothing and do not fail the storage.
 *
 * <p><b>Threads.</b> Called by the simulated node's log writer and readers; every call synchronizes on
 * the disk, so calls never interleave (with each other or with a crash) and never block otherwise.
 * Deterministic: it uses no randomness or clock of its own.
 */
public final class SimLogStorage implements LogStorage {

    private final SimDisk disk;

    // Guarded by the disk's lock.
    private SimDisk.Log view;
    private Vote vote;
    private int incarnation;
    private boolean closed;
    private IOException failure;

    /** A storage over {@code disk}, to be opened. At most one storage may be open on a disk at a time. */
    public SimLogStorage(SimDisk disk) {
        this.disk = Objects.requireNonNull(disk, "disk");
    }

    /** The disk this storage writes to. */
    public SimDisk disk() {
        return disk;
    }

    /**
     * Opens what the disk holds. Pending changes that survived in the page cache (a restart without a
     * crash) are made durable first, as a real storage forces what it recovers: the engine treats
     * everything {@code open()} returns as durable.
     *
     * @throws IllegalStateException if called twice, or another storage is open on the disk
     */
    @Override
    public LogState open() throws IOException {
        synchronized (disk) {
            if (closed) {
                throw new IOException("simulated storage is closed");
            }
            if (view != null) {
                throw new IllegalStateException("open() was already called");
            }
            incarnation = disk.attach(this);
            view = disk.pageCacheView();
            vote = disk.durableVote();
            return new LogState(vote, view.base(), view.last());
        }
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        Objects.requireNonNull(vote, "vote");
        synchronized (disk) {
            checkWritable();
            Vote current = this.vote;
            if (vote.term() < current.term()) {
                throw new IllegalStateException("vote would go back from term " + current.term()
                        + " to term " + vote.term() + " (" + current + " -> " + vote + ")");
            }
            if (vote.term() == current.term() && current.hasVoted() && vote.votedFor() != current.votedFor()) {
                throw new IllegalStateException("already voted for " + current.votedFor() + " in term "
                        + current.term() + ", cannot change the vote to " + vote);
            }
            disk.saveVote(vote);
            this.vote = vote;
        }
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        Objects.requireNonNull(entries, "entries");
        synchronized (disk) {
            checkWritable();
            LogStorage.checkAppend(view.last(), entries, Integer.MAX_VALUE);
            if (entries.count() == 0) {
                return;
            }
            HeapLogEntries owned = HeapLogEntries.copyOf(entries);
            mutate(new SimDisk.Append(owned));
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        synchronized (disk) {
            checkWritable();
            long base = view.base().index();
            long last = view.lastIndex();
            if (fromIndex <= base || fromIndex > last + 1) {
                throw new IllegalArgumentException("truncateSuffix(" + fromIndex + ") needs base " + base
                        + " < fromIndex <= last + 1 = " + (last + 1));
            }
            if (fromIndex <= last) {
                mutate(new SimDisk.Truncate(fromIndex));
            }
        }
    }

    /** Purges up to {@code upToIndex}; at or below the base this is a no-op. */
    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        synchronized (disk) {
            checkWritable();
            if (upToIndex > view.lastIndex()) {
                throw new IllegalArgumentException("cannot purge up to index " + upToIndex
                        + ": beyond the last entry " + view.last());
            }
            if (upToIndex > view.base().index()) {
                mutate(new SimDisk.Purge(upToIndex));
            }
        }
    }

    @Override
    public void resetTo(LogId base) throws IOException {
        synchronized (disk) {
            checkWritable();
            if (base.index() < view.base().index()) {
                throw new IllegalArgumentException("cannot reset the log to " + base + ": before its base " + view.base());
            }
            mutate(new SimDisk.Reset(base));
        }
    }

    @Override
    public void flush() throws IOException {
        synchronized (disk) {
            checkWritable();
            try {
                disk.flush();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        if (maxCount < 1 || maxBytes < 0) {
            throw new IllegalArgumentException("read needs maxCount >= 1 and maxBytes >= 0, got maxCount="
                    + maxCount + " maxBytes=" + maxBytes);
        }
        synchronized (disk) {
            checkReadable();
            LogId base = view.base();
            if (fromIndex <= base.index()) {
                throw new IOException("cannot read from index " + fromIndex + ": entries up to "
                        + base.index() + " are purged or never existed (base " + base + ")");
            }
            return view.read(fromIndex, maxCount, maxBytes);
        }
    }

    @Override
    public long termAt(long index) throws IOException {
        synchronized (disk) {
            checkReadable();
            return view.termAt(index);
        }
    }

    /** Detaches from the disk; pending changes stay in the page cache until a flush or crash. Idempotent. */
    @Override
    public void close() {
        synchronized (disk) {
            closed = true;
            disk.detach(this);
        }
    }

    @Override
    public String toString() {
        synchronized (disk) {
            return "SimLogStorage[incarnation=" + incarnation + (view == null ? " unopened" : " base="
                    + view.base() + " last=" + view.last()) + (failure == null ? "" : " FAILED") + "]";
        }
    }

    /** Queues {@code change} on the disk, then applies it to the view; an IOException fails the storage. */
    private void mutate(SimDisk.Change change) throws IOException {
        try {
            disk.addPending(change);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        view.apply(change);
    }

    private void checkReadable() throws IOException {
        if (view == null && !closed) {
            throw new IllegalStateException("open() must be called first");
        }
        if (closed) {
            throw new IOException("simulated storage is closed");
        }
        if (disk.incarnation() != incarnation) {
            throw new IOException("the node crashed: this storage belongs to incarnation " + incarnation
                    + " of the disk, which is now at incarnation " + disk.incarnation());
        }
    }

    private void checkWritable() throws IOException {
        checkReadable();
        if (failure != null) {
            throw new IOException("storage failed earlier: " + failure.getMessage(), failure);
        }
    }
}
