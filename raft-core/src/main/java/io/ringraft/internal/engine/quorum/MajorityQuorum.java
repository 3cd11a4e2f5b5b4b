package io.ringraft.internal.engine.quorum;

import io.ringraft.internal.engine.EngineConfig;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A simple majority of a fixed voter set: {@code n / 2 + 1} of {@code n} voters decide.
 *
 * <p>{@link #committedIndex} sorts the voters' indexes in a scratch array and takes the quorum-th
 * highest, so it allocates nothing; instances are therefore not thread-safe.
 */
public final class MajorityQuorum implements Quorum {

    private final long[] voters;
    private final long[] scratch;

    /** @param voters voter ids, sorted ascending and unique (as {@link EngineConfig} keeps them) */
    public MajorityQuorum(long[] voters) {
        this.voters = voters.clone();
        this.scratch = new long[voters.length];
    }

    /** Number of voters that make a majority. */
    int quorumSize() {
        return voters.length / 2 + 1;
    }

    @Override
    public boolean isVoter(long nodeId) {
        return Arrays.binarySearch(voters, nodeId) >= 0;
    }

    @Override
    public void forEachVoter(LongConsumer action) {
        for (long voter : voters) {
            action.accept(voter);
        }
    }

    @Override
    public long committedIndex(IndexSource source) {
        for (int i = 0; i < voters.length; i++) {
            scratch[i] = source.indexOf(voters[i]);
        }
        Arrays.sort(scratch);
        // Ascending order: the quorum-th highest value sits at n - quorum.
        return scratch[voters.length - quorumSize()];
    }

    @Override
    public VoteResult voteResult(VoteSource votes) {
        int granted = 0;
        int missing = 0;
        for (long voter : voters) {
            int vote = votes.voteOf(voter);
            if (vote == VoteSource.GRANTED) {
                granted++;
            } else if (vote == VoteSource.PENDING) {
                missing++;
            }
        }
        int quorum = quorumSize();
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        return granted + missing >= quorum ? VoteResult.PENDING : VoteResult.LOST;
    }

    @Override
    public String toString() {
        return "majority" + Arrays.toString(voters);
    }
}
