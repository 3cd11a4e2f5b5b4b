package io.ringraft.local;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link LogStorage} on the heap, for tests and examples. Every change is "durable" as soon as its
 * call returns, but only in memory: nothing survives the process, and a new instance always starts
 * empty (so it cannot stand in for a restart).
 *
 * <p><b>Threads.</b> As the SPI says: {@link #open()} once, then one thread (the log writer) calls the
 * mutating methods, while any number of threads call {@link #read} and {@link #termAt}. A
 * read/write lock makes every returned change visible to later reads; readers block only while a
 * mutation holds the write lock (a copy of the appended entries, never IO). {@link #flush()} does
 * nothing.
 *
 * <p><b>Checks.</b> Calls that break the contract throw {@link IllegalArgumentException} (an append not
 * at {@code last + 1} or with a term lower than the entry before it, a truncation outside
 * {@code (base, last + 1]}, a purge beyond the last entry) or {@link IllegalStateException} (a vote
 * going backwards, use before {@link #open()}), and change nothing. A purge at or below the base is a
 * no-op. After {@link #close()} every call throws {@link IOException}.
 *
 * <p>Appended payloads are copied into arrays that are never modified afterwards, so {@link #read}
 * shares them with the {@link HeapLogEntries} it returns instead of copying again.
 */
public final class InMemoryLogStorage implements LogStorage {

    private static final int INITIAL_CAPACITY = 16;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    // All fields are guarded by lock.
    private boolean opened;
    private boolean closed;
    private Vote vote = Vote.INITIAL;
    /** The last purged entry, or {@link LogId#ZERO}. */
    private LogId base = LogId.ZERO;
    /** Entry {@code base.index() + 1 + i} is in slot {@code head + i}, for {@code 0 <= i < size}. */
    private long[] terms = new long[INITIAL_CAPACITY];
    private EntryKind[] kinds = new EntryKind[INITIAL_CAPACITY];
    private byte[][] payloads = new byte[INITIAL_CAPACITY][];
    private int head;
    private int size;

    /** Creates empty, unopened storage. */
    public InMemoryLogStorage() {
    }

    @Override
    public LogState open() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                throw new IOException("in-memory log storage is closed");
            }
            if (opened) {
                throw new IllegalStateException("open() was already called");
            }
            opened = true;
            return new LogState(vote, base, lastId());
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        Objects.requireNonNull(vote, "vote");
        lock.writeLock().lock();
        try {
            checkUsable();
            checkVoteProgress(this.vote, vote);
            this.vote = vote;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        Objects.requireNonNull(entries, "entries");
        lock.writeLock().lock();
        try {
            checkUsable();
            LogStorage.checkAppend(lastId(), entries, Integer.MAX_VALUE);
            int count = entries.count();
            ensureRoom(count);
            for (int i = 0; i < count; i++) {
                int slot = head + size + i;
                terms[slot] = entries.termAt(i);
                kinds[slot] = entries.kindAt(i);
                payloads[slot] = entries.payloadAt(i).toByteArray();
            }
            size += count;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        lock.writeLock().lock();
        try {
            checkUsable();
            long last = base.index() + size;
            if (fromIndex <= base.index() || fromIndex > last + 1) {
                throw new IllegalArgumentException("truncateSuffix(" + fromIndex + ") needs base "
                        + base.index() + " < fromIndex <= last + 1 = " + (last + 1));
            }
            int newSize = (int) (fromIndex - base.index() - 1);
            Arrays.fill(payloads, head + newSize, head + size, null);
            Arrays.fill(kinds, head + newSize, head + size, null);
            size = newSize;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        lock.writeLock().lock();
        try {
            checkUsable();
            long last = base.index() + size;
            if (upToIndex > last) {
                throw new IllegalArgumentException("cannot purge up to index " + upToIndex
                        + ": beyond the last entry " + lastId());
            }
            if (upToIndex <= base.index()) {
                return; // already purged
            }
            int purged = (int) (upToIndex - base.index());
            LogId newBase = new LogId(terms[head + purged - 1], upToIndex);
            Arrays.fill(payloads, head, head + purged, null);
            Arrays.fill(kinds, head, head + purged, null);
            head += purged;
            size -= purged;
            if (size == 0) {
                head = 0;
            }
            base = newBase;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void resetTo(LogId newBase) throws IOException {
        java.util.Objects.requireNonNull(newBase, "newBase");
        lock.writeLock().lock();
        try {
            checkUsable();
            if (newBase.index() < base.index()) {
                throw new IllegalArgumentException("cannot reset the log to " + newBase + ": before its base " + base);
            }
            Arrays.fill(payloads, head, head + size, null);
            Arrays.fill(kinds, head, head + size, null);
            head = 0;
            size = 0;
            base = newBase;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Does nothing: every change is already as durable as this storage gets. */
    @Override
    public void flush() throws IOException {
        lock.readLock().lock();
        try {
            checkUsable();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        if (maxCount < 1 || maxBytes < 0) {
            throw new IllegalArgumentException("read needs maxCount >= 1 and maxBytes >= 0, got maxCount="
                    + maxCount + " maxBytes=" + maxBytes);
        }
        lock.readLock().lock();
        try {
            checkUsable();
            if (fromIndex <= base.index()) {
                throw new IOException("cannot read from index " + fromIndex + ": entries up to "
                        + base.index() + " are purged or never existed (base " + base + ")");
            }
            HeapLogEntries.Builder builder = HeapLogEntries.builder(fromIndex);
            long available = base.index() + size - fromIndex + 1;
            int limit = (int) Math.min(maxCount, Math.max(0, available));
            int first = head + (int) (fromIndex - base.index() - 1);
            long bytes = 0;
            for (int i = 0; i < limit; i++) {
                byte[] payload = payloads[first + i];
                bytes += payload.length;
                if (i > 0 && bytes > maxBytes) {
                    break;
                }
                builder.add(terms[first + i], kinds[first + i], payload);
            }
            return builder.build();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long termAt(long index) throws IOException {
        lock.readLock().lock();
        try {
            checkUsable();
            if (index == base.index()) {
                return base.term();
            }
            if (index < base.index() || index > base.index() + size) {
                return -1;
            }
            return terms[head + (int) (index - base.index() - 1)];
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Drops everything held; later calls throw {@link IOException}. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            terms = new long[0];
            kinds = new EntryKind[0];
            payloads = new byte[0][];
            head = 0;
            size = 0;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        lock.readLock().lock();
        try {
            return "InMemoryLogStorage[vote=" + vote + " base=" + base + " last=" + lastId() + "]";
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Throws {@link IllegalStateException} unless {@code next} may replace {@code current}: terms
     * never decrease, and within one term the vote only goes from none to one candidate.
     */
    static void checkVoteProgress(Vote current, Vote next) {
        if (next.term() < current.term()) {
            throw new IllegalStateException("vote would go back from term " + current.term()
                    + " to term " + next.term() + " (" + current + " -> " + next + ")");
        }
        if (next.term() == current.term() && current.hasVoted() && next.votedFor() != current.votedFor()) {
            throw new IllegalStateException("already voted for " + current.votedFor() + " in term "
                    + current.term() + ", cannot change the vote to " + next);
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("in-memory log storage is closed");
        }
        if (!opened) {
            throw new IllegalStateException("open() must be called first");
        }
    }

    private LogId lastId() {
        return size == 0 ? base : new LogId(terms[head + size - 1], base.index() + size);
    }

    /** Makes room for {@code count} more entries after the last one, compacting or growing. */
    private void ensureRoom(int count) {
        int needed = size + count;
        if (needed < 0) {
            throw new IllegalStateException("in-memory log cannot hold more than " + Integer.MAX_VALUE
                    + " entries");
        }
        if (head + needed <= terms.length) {
            return;
        }
        int capacity = terms.length;
        if (needed > capacity / 2) {
            capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) capacity * 2, needed));
        }
        long[] newTerms = new long[capacity];
        EntryKind[] newKinds = new EntryKind[capacity];
        byte[][] newPayloads = new byte[capacity][];
        System.arraycopy(terms, head, newTerms, 0, size);
        System.arraycopy(kinds, head, newKinds, 0, size);
        System.arraycopy(payloads, head, newPayloads, 0, size);
        terms = newTerms;
        kinds = newKinds;
        payloads = newPayloads;
        head = 0;
    }
}
