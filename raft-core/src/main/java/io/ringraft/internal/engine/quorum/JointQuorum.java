package io.ringraft.internal.engine.quorum;

import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;

/**
 * Joint consensus (Raft thesis 4.3): while a configuration changes from {@code old} to {@code new},
 * every decision needs a majority of <em>both</em>. The committed index is the lower of the two
 * majorities' indexes; an election is won only if both majorities grant, and lost as soon as either
 * can no longer grant.
 *
 * <p>Not yet used by the engine (membership changes come with their issue); it implements
 * {@link Quorum} so the election and replication code can use it unchanged. Not thread-safe.
 */
public final class JointQuorum implements Quorum {

    private final MajorityQuorum incoming;
    private final MajorityQuorum outgoing;
    private final long[] allVoters;

    /** @param incoming the new voters; @param outgoing the old voters (each sorted, unique) */
    public JointQuorum(long[] incoming, long[] outgoing) {
        this.incoming = new MajorityQuorum(incoming);
        this.outgoing = new MajorityQuorum(outgoing);
        this.allVoters = LongStream.concat(Arrays.stream(incoming), Arrays.stream(outgoing)).distinct().sorted()
                .toArray();
    }

    @Override
    public boolean isVoter(long nodeId) {
        return Arrays.binarySearch(allVoters, nodeId) >= 0;
    }

    @Override
    public void forEachVoter(LongConsumer action) {
        for (long voter : allVoters) {
            action.accept(voter);
        }
    }

    @Override
    public long committedIndex(IndexSource source) {
        return Math.min(incoming.committedIndex(source), outgoing.committedIndex(source));
    }

    @Override
    public VoteResult voteResult(VoteSource votes) {
        VoteResult in = incoming.voteResult(votes);
        VoteResult out = outgoing.voteResult(votes);
        if (in == out) {
            return in;
        }
        if (in == VoteResult.LOST || out == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    @Override
    public String toString() {
        return "joint(" + incoming + ", " + outgoing + ")";
    }
}
