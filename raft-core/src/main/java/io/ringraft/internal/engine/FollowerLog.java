package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.spi.LogEntries;

/**
 * The receiving side of AppendEntries: the consistency check, conflict repair, the follower's commit
 * index, and acknowledgements that report only durable, verified entries.
 *
 * <p>Rules it keeps:
 * <ul>
 *   <li>Entries already in the log with the same term are kept; the log is truncated only at the
 *       first entry whose term differs, so an old, fully matching request never shortens the log.
 *   <li>A conflict at or below the commit index means the cluster broke Raft's guarantees; the engine
 *       throws rather than overwrite committed data.
 *   <li>{@code verifiedIndex} is how far this log is known to match the current leader's. Entries
 *       beyond it may be leftovers of an old term, so neither an acknowledgement nor the commit index
 *       ever passes it.
 *   <li>An acknowledgement reports {@code min(durableIndex, verifiedIndex)}; if entries are still
 *       being written it is sent when their flush is reported, so the leader never counts a
 *       non-durable entry toward commitment.
 * </ul>
 */
final class FollowerLog {

    private final RaftEngine engine;
    /** Highest index known to match the current leader's log. */
    private long verifiedIndex;
    /** The match index last reported to the current leader. */
    private long reportedMatch;

    FollowerLog(RaftEngine engine) {
        this.engine = engine;
    }

    /**
     * The lowest index from which taking {@code request} may truncate this log (its first entry,
     * above the commit index, whose term differs from the one held), or -1 if it cannot truncate.
     * May name an index the request will in the end not truncate (it could still be refused): callers
     * use it to keep the entries from there on safe to discard, which is never wrong.
     */
    long conflictIndex(AppendEntriesRequest request) {
        LogEntries entries = request.entries();
        LogTerms log = engine.log;
        for (int i = 0; i < entries.count(); i++) {
            long index = entries.firstIndex() + i;
            if (index > log.lastIndex()) {
                return -1;
            }
            // Committed entries are never truncated: they match every later leader's.
            if (index > engine.commitIndex && log.termAt(index) != entries.termAt(i)) {
                return index;
            }
        }
        return -1;
    }

    /** A new term or leader: what was verified against the old one no longer counts. */
    void leaderChanged() {
        verifiedIndex = 0;
        reportedMatch = 0;
    }

    void onAppendEntries(AppendEntriesRequest request) {
        // Term rules ran already: request.term() == our term, so its sender is this term's leader.
        engine.followLeader(request);
        if (!wellFormed(request)) {
            engine.droppedMessages++;
            return;
        }

        LogId prev = request.prevLogId();
        LogTerms log = engine.log;
        LogEntries entries = request.entries();
        int skip = 0;
        if (prev.index() < log.base().index()) {
            // The start of this request is compacted here: compacted entries are committed and match.
            skip = (int) Math.min(entries.count(), log.base().index() - prev.index());
        } else if (log.termAt(prev.index()) != prev.term()) {
            reject(request);
            return;
        }
        long held = appendNew(entries, skip);

        verifiedIndex = Math.max(verifiedIndex, held);
        engine.advanceCommit(Math.min(request.leaderCommit(), verifiedIndex));

        if (engine.io.durableIndex() >= verifiedIndex) {
            acknowledge(true);
        }
        // Otherwise the acknowledgement goes out when the pending entries are flushed.
    }

    /**
     * A leader's entries have terms that never decrease, start at or above the previous entry's
     * term and do not exceed the leader's term. A request that breaks this came from a broken or
     * hostile sender and is dropped before it touches the log.
     */
    private static boolean wellFormed(AppendEntriesRequest request) {
        LogEntries entries = request.entries();
        long previous = request.prevLogId().term();
        for (int i = 0; i < entries.count(); i++) {
            long term = entries.termAt(i);
            if (term < previous || term > request.term()) {
                return false;
            }
            if (entries.kindAt(i) == EntryKind.CONFIG && configAt(entries, i) == null) {
                return false;
            }
            previous = term;
        }
        return request.prevLogId().term() <= request.term();
    }

    /**
     * Appends the entries from the first one the log does not already hold with the same term, as many
     * as the log room takes.
     *
     * @return the last index of the request this log now holds (the request's last index unless the
     *         room cut it short)
     */
    private long appendNew(LogEntries entries, int from) {
        LogTerms log = engine.log;
        int count = entries.count();
        int i = from;
        while (i < count) {
            long index = entries.firstIndex() + i;
            if (index > log.lastIndex()) {
                break;
            }
            if (log.termAt(index) != entries.termAt(i)) {
                truncate(index);
                break;
            }
            i++;
        }
        if (i == count) {
            return entries.lastIndex();
        }
        int taken = engine.room.acceptable(entries, i);
        if (taken < 0 || taken > count - i) {
            throw new IllegalStateException("log room takes " + taken + " of " + (count - i) + " entries");
        }
        count = i + taken;
        if (taken == 0) {
            return entries.firstIndex() + i - 1;
        }
        long term = -1;
        int runStart = i;
        for (int j = i; j < count; j++) {
            long t = entries.termAt(j);
            if (t != term) {
                if (j > runStart) {
                    log.append(term, j - runStart);
                }
                term = t;
                runStart = j;
            }
        }
        log.append(term, count - runStart);
        engine.emit(new Effect.AppendReplicated(engine.io.appended(log.lastIndex()), entries, i, taken));
        for (int j = i; j < count; j++) {
            if (entries.kindAt(j) == EntryKind.CONFIG) {
                engine.configAppended(entries.firstIndex() + j, configAt(entries, j));
            }
        }
        return entries.firstIndex() + count - 1;
    }

    /** The configuration a CONFIG entry holds, or null if its payload is malformed. */
    private static ClusterConfig configAt(LogEntries entries, int offset) {
        byte[] bytes = entries.payloadAt(offset).toByteArray();
        try {
            return ClusterConfig.decode(bytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void truncate(long index) {
        if (index <= engine.commitIndex) {
            throw new IllegalStateException("node " + engine.selfId + ": leader of term " + engine.term()
                    + " conflicts with committed entry " + index + " (commit index "
                    + engine.commitIndex + "): committed data would be overwritten");
        }
        engine.log.truncateFrom(index);
        engine.emit(new Effect.Truncate(engine.io.truncated(index), index));
        if (engine.membership.truncated(index)) {
            engine.configChanged(); // the removed entries held the configuration in force
        }
        verifiedIndex = Math.min(verifiedIndex, index - 1);
        reportedMatch = Math.min(reportedMatch, index - 1);
    }

    private void reject(AppendEntriesRequest request) {
        LogId prev = request.prevLogId();
        long hintIndex = engine.log.lastIndexWithTermAtMost(prev.index(), prev.term());
        long hintTerm = Math.max(0, engine.log.termAt(hintIndex));
        engine.send(AppendEntriesResponse.rejected(engine.selfId, request.from(), engine.term(),
                prev.index(), new LogId(hintTerm, hintIndex)));
    }

    /** A snapshot up to {@code index} was installed: it holds the leader's committed entries. */
    void snapshotInstalled(long index) {
        verifiedIndex = Math.max(verifiedIndex, index);
    }

    /** {@code match} was reported to the current leader another way (a snapshot's installed answer). */
    void reported(long match) {
        reportedMatch = Math.max(reportedMatch, match);
    }

    /** How far this log is known to match the current leader's. */
    long verifiedIndex() {
        return verifiedIndex;
    }

    /** Storage made more entries durable: acknowledge them if they are verified. */
    void onFlushed() {
        if (engine.leaderId != 0 && Math.min(engine.io.durableIndex(), verifiedIndex) > reportedMatch) {
            acknowledge(false);
        }
    }

    private void acknowledge(boolean always) {
        long match = Math.min(engine.io.durableIndex(), verifiedIndex);
        if (always || match > reportedMatch) {
            reportedMatch = Math.max(reportedMatch, match);
            engine.send(AppendEntriesResponse.success(engine.selfId, engine.leaderId, engine.term(),
                    match));
        }
    }
}
