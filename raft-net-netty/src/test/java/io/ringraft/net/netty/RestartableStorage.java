package io.ringraft.net.netty;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;

/**
 * Stands in for a disk that outlives the process: an {@link InMemoryLogStorage} that a node's
 * {@code close()} does not close, and that the next node built over it opens again with everything
 * it held. {@code InMemoryLogStorage} itself cannot be reopened (close() drops its contents and
 * open() works once), so this wrapper opens it once and tracks vote, base and last entry itself.
 * Every change is durable when its call returns, so a restart sees exactly what the old node had
 * flushed: a restart from disk, not a node joining empty.
 */
final class RestartableStorage implements LogStorage {

    private final InMemoryLogStorage delegate = new InMemoryLogStorage();
    private boolean opened;
    private volatile Vote vote = Vote.INITIAL;
    private volatile LogId base = LogId.ZERO;
    private volatile LogId last = LogId.ZERO;

    @Override
    public synchronized LogState open() throws IOException {
        if (!opened) {
            LogState state = delegate.open();
            opened = true;
            vote = state.vote();
            base = state.base();
            last = state.last();
        }
        return new LogState(vote, base, last);
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        delegate.saveVote(vote);
        this.vote = vote;
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        delegate.append(entries);
        if (entries.count() > 0) {
            last = new LogId(entries.termAt(entries.count() - 1), entries.lastIndex());
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        delegate.truncateSuffix(fromIndex);
        last = new LogId(delegate.termAt(fromIndex - 1), fromIndex - 1);
    }

    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        long term = delegate.termAt(upToIndex);
        delegate.purgePrefix(upToIndex);
        if (upToIndex > base.index()) {
            base = new LogId(term, upToIndex);
        }
    }

    @Override
    public void resetTo(LogId newBase) throws IOException {
        delegate.resetTo(newBase);
        base = newBase;
        last = newBase;
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        return delegate.read(fromIndex, maxCount, maxBytes);
    }

    @Override
    public long termAt(long index) throws IOException {
        return delegate.termAt(index);
    }

    /** The node closed: the "disk" stays. */
    @Override
    public void close() {
    }

    /** Drops the contents for good. */
    void destroy() {
        delegate.close();
    }
}
