package io.ringraft.internal.engine.quorum;

import java.util.function.LongConsumer;

/**
 * Quorum arithmetic over a voter configuration: which index a quorum has reached and whether an
 * election is decided.
 *
 * <p>Kept apart from the rest of the engine so that joint configurations (two majorities that must
 * both agree) can implement it without touching election or replication code. Implementations are
 * pure and not thread-safe (they may keep scratch space).
 */
public interface Quorum {

    /** Supplies the acknowledged index of a voter. */
    @FunctionalInterface
    interface IndexSource {
        long indexOf(long voterId);
    }

    /** Supplies a voter's vote: {@link #GRANTED}, {@link #REJECTED} or {@link #PENDING}. */
    @FunctionalInterface
    interface VoteSource {
        int GRANTED = 1;
        int REJECTED = -1;
        int PENDING = 0;

        int voteOf(long voterId);
    }

    /** True if {@code nodeId} votes in this configuration. */
    boolean isVoter(long nodeId);

    /** Calls {@code action} for every voter, in ascending id order. */
    void forEachVoter(LongConsumer action);

    /** The highest index that a quorum of voters has acknowledged. */
    long committedIndex(IndexSource source);

    /** The election outcome given each voter's vote. */
    VoteResult voteResult(VoteSource votes);
}
