package io.ringraft.storage.wal;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.CorruptStorageException;
import java.io.IOException;
import java.util.Objects;

/**
 * One group's {@link LogStorage} in the shared log ({@link SharedLog#storageFor}). Every change is a
 * record in the shared stream, tagged with the group: entries, truncations, purges, resets and votes;
 * nothing of another group is ever rewritten. Threads as the SPI says: {@code open} once, then one
 * log writer thread for the changes and {@code flush}, any thread for {@code read} and {@code termAt}.
 *
 * <p><b>Durability.</b> {@code append}, {@code truncateSuffix}, {@code purgePrefix} and
 * {@code resetTo} are readable on return and durable once a later {@code flush} returns (what the SPI
 * asks; the segmented log makes the last three durable on return). {@code flush} and {@code saveVote}
 * wait for the group commit ({@link GroupCommit}): one {@code fdatasync} covers every group that
 * flushed meanwhile. After a crash each group's log is the result of a prefix of its calls,
 * including every call before its last returned flush or vote.
 *
 * <p><b>Blocking.</b> Changes take the shared writer's lock to stage their records (and, when the
 * staging buffer is full or every {@code fileBytes} of the whole stream, a write or a roll to a new
 * file); {@code flush} and {@code saveVote} block on the group commit (one write of the staging buffer,
 * one {@code fdatasync}); {@code read} reads the files (the page cache, usually) under this group's
 * read lock, after having the staging buffer written out if it needs a record still in it;
 * {@code termAt} does no IO.
 */
final class GroupLog implements LogStorage {

    private final SharedLog log;
    private final long groupId;
    private GroupState state;
    private volatile boolean closed;

    GroupLog(SharedLog log, long groupId) {
        this.log = log;
        this.groupId = groupId;
    }

    /**
     * Opens the shared log if nobody has yet, and returns this group's state.
     *
     * @throws IllegalStateException   if the group is already open through another storage
     * @throws CorruptStorageException if the group's log ends in a term above its vote's
     */
    @Override
    public LogState open() throws IOException {
        if (state != null) {
            throw new IllegalStateException("open() was already called");
        }
        if (closed) {
            throw new IOException("storage of group " + groupId + " is closed");
        }
        GroupState opened = log.acquireGroup(groupId);
        opened.lock.readLock().lock();
        try {
            LogId last = opened.lastId();
            if (last.term() > opened.vote.term()) {
                log.releaseGroup(opened);
                throw new CorruptStorageException(log.directory(), -1, "group " + groupId + " ends with " + last
                        + " but its durable vote is only for term " + opened.vote.term());
            }
            state = opened;
            return new LogState(opened.vote, opened.base, last);
        } finally {
            opened.lock.readLock().unlock();
        }
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        Objects.requireNonNull(vote, "vote");
        GroupState group = writable();
        Vote current;
        group.lock.readLock().lock();
        try {
            current = group.vote;
        } finally {
            group.lock.readLock().unlock();
        }
        if (vote.term() < current.term()) {
            throw new IllegalStateException("vote would go back from term " + current.term() + " to term "
                    + vote.term() + " (" + current + " -> " + vote + ")");
        }
        if (vote.term() == current.term() && current.hasVoted() && vote.votedFor() != current.votedFor()) {
            throw new IllegalStateException("already voted for " + current.votedFor() + " in term "
                    + current.term() + ", cannot change the vote to " + vote);
        }
        if (vote.equals(current)) {
            return;
        }
        log.writer().writeChange(group, WalRecord.KIND_VOTE, vote.votedFor(), vote.term());
        log.commit().awaitDurable(group.lastLsn);
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        Objects.requireNonNull(entries, "entries");
        GroupState group = writable();
        // No lock: base, last index and terms change only through this group's own calls (this thread).
        // The last entry as index and term: no LogId built per append.
        LogStorage.checkAppend(group.lastIndex, group.lastTerm(), entries, log.maxPayload());
        if (entries.count() > 0) {
            log.writer().append(group, entries);
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        GroupState group = writable();
        long last;
        group.lock.readLock().lock();
        try {
            last = group.lastIndex;
            if (fromIndex <= group.base.index() || fromIndex > last + 1) {
                throw new IllegalArgumentException("truncateSuffix(" + fromIndex + ") needs base "
                        + group.base.index() + " < fromIndex <= last + 1 = " + (last + 1));
            }
        } finally {
            group.lock.readLock().unlock();
        }
        if (fromIndex <= last) {
            log.writer().writeChange(group, WalRecord.KIND_TRUNCATE, fromIndex, 0);
        }
    }

    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        GroupState group = writable();
        long term;
        group.lock.readLock().lock();
        try {
            if (upToIndex > group.lastIndex) {
                throw new IllegalArgumentException("cannot purge up to index " + upToIndex
                        + ": beyond the last entry " + group.lastId());
            }
            if (upToIndex <= group.base.index()) {
                return;
            }
            term = group.runs.termOf(upToIndex);
        } finally {
            group.lock.readLock().unlock();
        }
        log.writer().writeChange(group, WalRecord.KIND_PURGE, upToIndex, term);
    }

    @Override
    public void resetTo(LogId base) throws IOException {
        Objects.requireNonNull(base, "base");
        GroupState group = writable();
        group.lock.readLock().lock();
        try {
            if (base.index() < group.base.index()) {
                throw new IllegalArgumentException("cannot reset the log to " + base + ": before its base " + group.base);
            }
        } finally {
            group.lock.readLock().unlock();
        }
        if (base.index() == Long.MAX_VALUE) {
            throw new IllegalArgumentException("cannot reset the log to " + base + ": no index can follow it");
        }
        log.writer().writeChange(group, WalRecord.KIND_RESET, base.index(), base.term());
    }

    /** Waits for the group commit that covers every change of this group so far. */
    @Override
    public void flush() throws IOException {
        GroupState group = writable();
        log.commit().awaitDurable(group.lastLsn);
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        if (maxCount < 1 || maxBytes < 0) {
            throw new IllegalArgumentException("read needs maxCount >= 1 and maxBytes >= 0, got maxCount="
                    + maxCount + " maxBytes=" + maxBytes);
        }
        GroupState group = readable();
        for (int attempt = 0;; attempt++) {
            LogEntries read = tryRead(group, fromIndex, maxCount, maxBytes, attempt > 0);
            if (read != null) {
                return read;
            }
            // An entry asked for is still in the writer's staging buffer: have it written, then read again.
            log.writer().drain();
        }
    }

    /**
     * Reads from the files; returns null if the first entry wanted is still staged, or (unless
     * {@code partial}) any entry wanted is: the caller drains the staging buffer and tries again, then
     * with {@code partial}, so that a writer appending all the time cannot keep the reader from returning.
     */
    private LogEntries tryRead(GroupState group, long fromIndex, int maxCount, int maxBytes, boolean partial)
            throws IOException {
        WalFiles files = log.files();
        files.lock.readLock().lock();
        group.lock.readLock().lock();
        try {
            log.failStop().check();
            if (fromIndex <= group.base.index()) {
                throw new IOException("cannot read from index " + fromIndex + " of group " + groupId + ": entries up to "
                        + group.base.index() + " are purged or never existed (base " + group.base + ")");
            }
            long written = log.writer().writtenLsn();
            HeapLogEntries.Builder builder = HeapLogEntries.builder(fromIndex);
            EntryReader reader = new EntryReader();
            long bytes = 0;
            int count = 0;
            for (long index = fromIndex; index <= group.lastIndex && count < maxCount; index++) {
                long location = group.locations.get(index);
                if (location >= written) {
                    if (count == 0 || !partial) {
                        return null;
                    }
                    break;
                }
                WalFile file = files.get(Lsn.seq(location));
                if (file == null) {
                    throw new CorruptStorageException(log.directory().resolve(WalFile.name(Lsn.seq(location))), -1,
                            "holds entry " + index + " of group " + groupId + " but is gone");
                }
                long term = group.runs.termOf(index);
                try {
                    reader.read(file, Lsn.offset(location), groupId, index, term);
                } catch (IOException | RuntimeException e) {
                    log.failStop().fail(e);
                    throw e;
                }
                if (count > 0 && bytes + reader.payload.length > maxBytes) {
                    break;
                }
                builder.add(term, WalRecord.entryKind(reader.kind), reader.payload);
                bytes += reader.payload.length;
                count++;
            }
            return builder.build();
        } finally {
            group.lock.readLock().unlock();
            files.lock.readLock().unlock();
        }
    }

    @Override
    public long termAt(long index) throws IOException {
        GroupState group = readable();
        group.lock.readLock().lock();
        try {
            log.failStop().check();
            return group.termAt(index);
        } finally {
            group.lock.readLock().unlock();
        }
    }

    /** Releases the group (another storage may open it); the shared log stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (state != null) {
            log.releaseGroup(state);
        }
    }

    @Override
    public String toString() {
        return "SharedLog group " + groupId + " in " + log.directory() + (closed ? " (closed)" : "");
    }

    private GroupState readable() throws IOException {
        log.failStop().check();
        if (closed) {
            throw new IOException("storage of group " + groupId + " is closed");
        }
        GroupState group = state;
        if (group == null) {
            throw new IllegalStateException("open() must be called first");
        }
        return group;
    }

    private GroupState writable() throws IOException {
        return readable();
    }
}
