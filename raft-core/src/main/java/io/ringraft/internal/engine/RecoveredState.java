package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.engine.membership.ConfigEntry;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import java.util.Objects;

/**
 * What a node knows when its engine starts: the durable vote, the log's terms and, if storage kept
 * it, a commit index. Everything in it is durable; the engine treats the whole log as flushed.
 *
 * @param vote      the durable vote ({@link Vote#INITIAL} for a new node)
 * @param log       the terms of the recovered log (the engine takes ownership)
 * @param committed an index known to be committed, or 0; must not exceed the log's last index
 * @param configs   the configuration entries in the recovered log after the snapshot, in index order
 *                  (the newest is in force; without any, the snapshot's, or without a snapshot the
 *                  {@code EngineConfig}'s voters)
 * @param snapshot  the newest durable snapshot ({@link LogId#ZERO} if none); the log holds its last
 *                  entry or starts after it, and everything up to it counts as committed
 * @param snapshotConfig the membership the snapshot holds, or null without a snapshot
 */
public record RecoveredState(Vote vote, LogTerms log, long committed, java.util.List<ConfigEntry> configs,
                             LogId snapshot, ClusterConfig snapshotConfig) {

    /** A recovered state whose log holds no configuration entry. */
    public RecoveredState(Vote vote, LogTerms log, long committed) {
        this(vote, log, committed, java.util.List.of());
    }

    /** A recovered state without a snapshot. */
    public RecoveredState(Vote vote, LogTerms log, long committed, java.util.List<ConfigEntry> configs) {
        this(vote, log, committed, configs, LogId.ZERO, null);
    }

    public RecoveredState {
        configs = java.util.List.copyOf(configs);
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.index() > 0) {
            if (snapshotConfig == null) {
                throw new IllegalArgumentException("snapshot " + snapshot + " comes without its membership");
            }
            if (!log.contains(snapshot)) {
                throw new IllegalArgumentException("the recovered log " + log + " does not hold the snapshot's last entry "
                        + snapshot + " (nor start right after it): reconcile the log with the snapshot first");
            }
            for (ConfigEntry entry : configs) {
                if (entry.index() <= snapshot.index()) {
                    throw new IllegalArgumentException("configuration entry " + entry.index()
                            + " is covered by snapshot " + snapshot + "; pass only later ones");
                }
            }
        }
        committed = Math.max(committed, Math.max(log.base().index(), snapshot.index()));
        if (committed > log.lastIndex()) {
            throw new IllegalArgumentException("committed index " + committed
                    + " is beyond the recovered log's last index " + log.lastIndex());
        }
        if (log.lastTerm() > vote.term()) {
            throw new IllegalArgumentException("recovered log ends in term " + log.lastTerm()
                    + " but the durable vote is only for term " + vote.term()
                    + ": storage lost the vote or holds another node's log");
        }
    }

    /** The state of a node that has never run. */
    public static RecoveredState fresh() {
        return new RecoveredState(Vote.INITIAL, LogTerms.startingAfter(LogId.ZERO), 0);
    }
}
