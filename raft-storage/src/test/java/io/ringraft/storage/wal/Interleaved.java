package io.ringraft.storage.wal;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;

/**
 * A group's storage whose every change is preceded by an append of a neighbour group of the same
 * shared log, so that the conformance suite runs on a stream where groups interleave; optionally a
 * maintenance round (checkpoint and reclamation) runs after every flush. The neighbour's own log is
 * checked on open: it must hold exactly consecutive entries {@code 1..last}.
 */
final class Interleaved implements LogStorage {

    private final SharedLog log;
    private final LogStorage group;
    private final LogStorage neighbour;
    private final boolean maintainOnFlush;
    private long neighbourLast;

    Interleaved(SharedLog log, long groupId, long neighbourId, boolean maintainOnFlush) {
        this.log = log;
        this.group = log.storageFor(groupId);
        this.neighbour = log.storageFor(neighbourId);
        this.maintainOnFlush = maintainOnFlush;
    }

    @Override
    public LogState open() throws IOException {
        LogState state = group.open();
        LogState other = neighbour.open();
        neighbourLast = other.last().index();
        if (neighbourLast > 0) {
            LogEntries all = neighbour.read(1, Integer.MAX_VALUE, Integer.MAX_VALUE);
            if (all.count() != neighbourLast) {
                throw new AssertionError("neighbour holds " + all.count() + " entries, expected " + neighbourLast);
            }
        }
        if (other.vote().term() < 1) {
            neighbour.saveVote(new Vote(1, 1));
        }
        return state;
    }

    private void noise() throws IOException {
        neighbourLast++;
        neighbour.append(HeapLogEntries.builder(neighbourLast)
                .add(1, EntryKind.COMMAND, ("n" + neighbourLast).getBytes()).build());
    }

    @Override
    public void saveVote(Vote vote) throws IOException {
        noise();
        group.saveVote(vote);
    }

    @Override
    public void append(LogEntries entries) throws IOException {
        noise();
        group.append(entries);
    }

    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        noise();
        group.truncateSuffix(fromIndex);
    }

    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        noise();
        group.purgePrefix(upToIndex);
    }

    @Override
    public void resetTo(LogId base) throws IOException {
        noise();
        group.resetTo(base);
    }

    @Override
    public void flush() throws IOException {
        group.flush();
        neighbour.flush();
        if (maintainOnFlush) {
            log.checkpointNow();
            log.maintainNow();
        }
    }

    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        return group.read(fromIndex, maxCount, maxBytes);
    }

    @Override
    public long termAt(long index) throws IOException {
        return group.termAt(index);
    }

    @Override
    public void close() throws IOException {
        group.close();
        neighbour.close();
    }
}
