package io.ringraft.examples.bench;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;

/**
 * <b>NOT DURABLE. FOR THE BENCHMARK'S "fsync off" VARIANT ONLY.</b> Wraps a {@link LogStorage} and
 * turns {@link #flush()} into a no-op, so appended entries are reported durable while they may
 * still sit in the OS page cache. A power loss or kernel crash can then lose entries that the
 * cluster acknowledged, which breaks Raft's safety. Never use this outside a measurement.
 *
 * <p>Everything else is delegated unchanged: votes are still forced when saved, and the wrapped
 * storage still forces the files it seals or creates when it rolls to a new segment, truncates,
 * purges or resets.
 */
final class UnsyncedLogStorage implements LogStorage {

    private final LogStorage delegate;

    UnsyncedLogStorage(LogStorage delegate) {
        this.delegate = delegate;
    }

    @Override
    public LogState open() throws IOException {
        return delegate.open();
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        delegate.saveVote(vote);
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        delegate.append(entries);
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        delegate.truncateSuffix(fromIndex);
    }

    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        delegate.purgePrefix(upToIndex);
    }

    @Override
    public void resetTo(LogId base) throws IOException {
        delegate.resetTo(base);
    }

    /** Deliberately does nothing: no fsync. See the class comment. */
    @Override
    public void flush() {
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        return delegate.read(fromIndex, maxCount, maxBytes);
    }

    @Override
    public long termAt(long index) throws IOException {
        return delegate.termAt(index);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Unsynced(NOT DURABLE)[" + delegate + "]";
    }
}
