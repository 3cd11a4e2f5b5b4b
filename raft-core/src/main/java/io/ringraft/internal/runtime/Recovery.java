package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.internal.engine.LogTerms;
import io.ringraft.internal.engine.membership.ConfigEntry;
import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a node reads from storage when it starts: brings the log and state machine into
 * agreement with the newest snapshot (catalogue D40, E45, E48), and scans the recovered log for the
 * engine's term runs and configuration entries. Called once, by the thread that builds the node,
 * before any task runs.
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
    static void restore(StateMachine stateMachine, SnapshotStore store, SnapshotInfo snapshot, long selfId)
            throws IOException {
        try (InputStream in = store.open(snapshot)) {
            StateMachineCalls.restore(stateMachine, in, selfId, "snapshot " + snapshot.last());
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

    /**
     * Finds the configuration entries of the recovered log after the snapshot (which carries the
     * configuration up to it): reads the log after the snapshot once, O(entries since the snapshot).
     */
    static List<ConfigEntry> configs(LogStorage storage, LogState state, long snapshotIndex) throws IOException {
        List<ConfigEntry> configs = new ArrayList<>();
        long index = Math.max(state.base().index(), snapshotIndex) + 1;
        long last = state.last().index();
        while (index <= last) {
            LogEntries batch = storage.read(index, 4096, 4 << 20);
            if (batch.count() == 0) {
                throw new IOException("storage returned no entry at " + index + " inside its log (last " + last + ")");
            }
            for (int i = 0; i < batch.count(); i++) {
                if (batch.kindAt(i) == EntryKind.CONFIG) {
                    byte[] bytes = batch.payloadAt(i).toByteArray();
                    try {
                        configs.add(new ConfigEntry(batch.firstIndex() + i,
                                ClusterConfig.decode(bytes)));
                    } catch (IllegalArgumentException e) {
                        throw new IOException("configuration entry " + (batch.firstIndex() + i)
                                + " cannot be decoded: " + e.getMessage(), e);
                    }
                }
            }
            index += batch.count();
        }
        return configs;
    }

    /** Rebuilds the engine's term runs with a binary search per run: O(terms x log(entries)) reads. */
    static LogTerms terms(LogStorage storage, LogState state) throws IOException {
        LogId base = state.base();
        LogTerms terms = LogTerms.startingAfter(base);
        long last = state.last().index();
        long index = base.index() + 1;
        while (index <= last) {
            long term = storage.termAt(index);
            long low = index;
            long high = last;
            while (low < high) {
                long mid = (low + high + 1) >>> 1;
                if (storage.termAt(mid) == term) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            if (term < 0) {
                throw new IOException("storage reports no term for index " + index + " inside its log");
            }
            terms.append(term, (int) (low - index + 1));
            index = low + 1;
        }
        return terms;
    }
}
