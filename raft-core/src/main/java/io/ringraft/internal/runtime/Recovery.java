package io.ringraft.internal.runtime;

import io.ringraft.api.LogId;
import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a node's log and state machine into agreement with its newest snapshot when it starts
 * (catalogue D40, E45, E48). Called once, by the thread that builds the node, before any task runs.
 *
 * <p>The rules: the state machine is restored from the newest snapshot before anything is applied,
 * and applying resumes right after it. The log must hold the snapshot's last entry, or start right
 * after it. If it does not (a crash after a snapshot from the leader was committed but before the log
 * was reset, or a log that ends before the snapshot), the log is reset to continue after the snapshot:
 * its entries up to there are covered by the snapshot, and entries after a conflicting one cannot be
 * trusted. A log that starts beyond the snapshot has lost entries nobody can restore: an error.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    /**
     * Reconciles the opened log with {@code snapshot} (null: none) and returns the log's state after.
     *
     * @throws IOException if the log starts after the snapshot, or without a snapshot after the log's
     *                     start: the entries in between are lost, so the state machine cannot be rebuilt
     */
    static LogState reconcile(LogStorage storage, LogState state, SnapshotInfo snapshot) throws IOException {
        LogId base = state.base();
        if (snapshot == null) {
            if (base.index() > 0) {
                throw new IOException("the log starts after entry " + base + " but no snapshot covers the entries "
                        + "before it: the state machine cannot be rebuilt (was the snapshot store lost, or not "
                        + "configured for a log that was compacted?)");
            }
            return state;
        }
        LogId last = snapshot.last();
        if (base.index() > last.index()) {
            throw new IOException("the log starts after entry " + base + " but the newest snapshot ends at " + last
                    + ": entries " + (last.index() + 1) + ".." + base.index() + " are lost");
        }
        if (last.index() <= state.last().index() && storage.termAt(last.index()) == last.term()) {
            return state; // the log holds the snapshot's last entry: keep it all
        }
        LOG.info("log {}..{} does not hold the last entry {} of the newest snapshot: resetting it to start after it",
                base, state.last(), last);
        io.ringraft.api.Vote vote = state.vote();
        if (last.term() > vote.term()) {
            // A snapshot from a leader of a newer term was committed before that term's vote was saved
            // (or the log directory was wiped): a log ending in that term needs a vote at least as new.
            vote = new io.ringraft.api.Vote(last.term(), io.ringraft.api.Vote.NONE);
            storage.saveVote(vote);
        }
        storage.resetTo(last);
        storage.flush();
        return new LogState(vote, last, last);
    }

    /** Restores the state machine from {@code snapshot}, reading its data to the end (where stores verify it). */
    static void restore(StateMachine stateMachine, SnapshotStore store, SnapshotInfo snapshot) throws IOException {
        try (InputStream in = store.open(snapshot)) {
            stateMachine.restore(in);
            in.transferTo(OutputStream.nullOutputStream());
        }
        LOG.info("restored the state machine from snapshot {} ({} bytes)", snapshot.last(), snapshot.sizeBytes());
    }

    /** The membership a snapshot carries. */
    static ClusterConfig membershipOf(SnapshotInfo snapshot) throws IOException {
        try {
            return ClusterConfig.decode(snapshot.membership());
        } catch (IllegalArgumentException e) {
            throw new IOException("snapshot " + snapshot.last() + " holds an unreadable membership: " + e.getMessage(), e);
        }
    }
}
