package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;

/**
 * The receiving side of snapshot transfer: checks each chunk a leader sends, hands the ones worth
 * writing to the runtime (which writes them and answers with the offset it wants next), and, once
 * the runtime has the whole snapshot durable and the state machine restored from it, moves the log,
 * commit index and membership onto the snapshot.
 *
 * <p>Rules it keeps (catalogue E45-E47):
 * <ul>
 *   <li>A snapshot that covers nothing beyond the commit index is not installed: the follower
 *       answers at once with what it holds, so a late or duplicated transfer never moves anything back.
 *   <li>If the log holds the snapshot's last entry (same term), the entries after it are kept (they
 *       match the leader's log there); otherwise the whole log is discarded, before the engine counts
 *       anything after the snapshot.
 *   <li>The snapshot's membership replaces every configuration it covers, and every uncommitted one
 *       if the log was discarded: a node never acts on a configuration its new log does not hold.
 * </ul>
 * Owned by the engine; single-threaded.
 */
final class SnapshotFollower {

    private final RaftEngine engine;

    SnapshotFollower(RaftEngine engine) {
        this.engine = engine;
    }

    void onChunk(InstallSnapshotRequest chunk) {
        // Term rules ran already: chunk.term() == our term, so its sender is this term's leader.
        engine.followLeader(chunk);
        if (decode(chunk.membership()) == null) {
            engine.droppedMessages++;
            return;
        }
        LogId snapshot = chunk.snapshot();
        if (snapshot.index() <= engine.commitIndex) {
            // Nothing new in it (late, duplicated, or we caught up meanwhile): say what we hold.
            engine.send(InstallSnapshotResponse.installed(engine.selfId, chunk.from(), engine.term(), snapshot,
                    heldIndex()));
            return;
        }
        engine.emit(new Effect.InstallSnapshotChunk(chunk));
    }

    /** The runtime has snapshot {@code last} durable and the state machine restored from it. */
    void installed(LogId last, ClusterConfig config) {
        LogTerms log = engine.log;
        if (last.index() <= log.base().index() || last.index() <= engine.commitIndex && log.contains(last)) {
            engine.noteSnapshot(last);
            answer(last);
            return;
        }
        boolean keep = log.contains(last);
        if (keep) {
            engine.io.coveredBySnapshot(last.index());
        } else {
            if (engine.role == Role.LEADER || last.index() <= engine.commitIndex) {
                throw new IllegalStateException("node " + engine.selfId + " (" + engine.role + ", commit "
                        + engine.commitIndex + ", log " + log + ") installed snapshot " + last
                        + " that conflicts with its committed log");
            }
            if (engine.role != Role.FOLLOWER) {
                engine.becomeFollower(engine.term(), 0);
            }
            log.resetTo(last);
            engine.emit(new Effect.ResetLog(engine.io.reset(last.index()), last));
        }
        engine.followerLog.snapshotInstalled(last.index());
        engine.noteSnapshot(last);
        if (engine.membership.snapshotInstalled(last.index(), config, keep)) {
            engine.configChanged();
        }
        engine.advanceCommit(last.index());
        answer(last);
    }

    private void answer(LogId last) {
        if (engine.role == Role.FOLLOWER && engine.leaderId != 0) {
            long held = heldIndex();
            engine.followerLog.reported(held);
            engine.send(InstallSnapshotResponse.installed(engine.selfId, engine.leaderId, engine.term(), last,
                    held));
        }
    }

    /**
     * The highest index durable here and known to match the leader's log: committed entries match
     * every current and future leader's log, verified ones this leader's.
     */
    private long heldIndex() {
        return Math.min(engine.io.durableIndex(), Math.max(engine.followerLog.verifiedIndex(), engine.commitIndex));
    }

    /** The configuration encoded in a snapshot, or null if malformed. */
    static ClusterConfig decode(byte[] membership) {
        try {
            return ClusterConfig.decode(membership);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
