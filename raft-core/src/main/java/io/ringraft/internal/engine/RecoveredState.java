package io.ringraft.internal.engine;

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
 * @param configs   the configuration entries in the recovered log, in index order (the newest is in
 *                  force; without any, the configuration's voters are the {@code EngineConfig}'s)
 */
public record RecoveredState(Vote vote, LogTerms log, long committed, java.util.List<ConfigEntry> configs) {

    /** A recovered state whose log holds no configuration entry. */
    public RecoveredState(Vote vote, LogTerms log, long committed) {
        this(vote, log, committed, java.util.List.of());
    }

    public RecoveredState {
        configs = java.util.List.copyOf(configs);
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(log, "log");
        committed = Math.max(committed, log.base().index());
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
