package io.ringraft.internal.engine.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Joint-consensus quorum arithmetic (catalogue C27 with joint configurations) against brute-force
 * oracles: over overlapping old and new voter sets, random match indexes and random votes.
 */
class JointQuorumProperties {

    @Provide
    Arbitrary<long[]> voterSets() {
        return Arbitraries.longs().between(1, 12).set().ofMinSize(1).ofMaxSize(7)
                .map(set -> set.stream().mapToLong(Long::longValue).sorted().toArray());
    }

    @Property
    void committedIndexIsTheHighestIndexBothMajoritiesHold(
            @ForAll("voterSets") long[] incoming, @ForAll("voterSets") long[] outgoing,
            @ForAll @Size(12) List<@LongRange(min = 0, max = 6) Long> matches) {
        Map<Long, Long> matchOf = new HashMap<>();
        for (long id = 1; id <= 12; id++) {
            matchOf.put(id, matches.get((int) id - 1));
        }
        long actual = new JointQuorum(incoming, outgoing).committedIndex(matchOf::get);
        long oracle = 0;
        for (long candidate = 0; candidate <= 6; candidate++) {
            if (majorityHolds(incoming, matchOf, candidate) && majorityHolds(outgoing, matchOf, candidate)) {
                oracle = candidate;
            }
        }
        assertThat(actual).isEqualTo(oracle);
    }

    private static boolean majorityHolds(long[] voters, Map<Long, Long> matchOf, long index) {
        long holding = Arrays.stream(voters).filter(id -> matchOf.get(id) >= index).count();
        return holding >= voters.length / 2 + 1;
    }

    @Property
    void anElectionNeedsBothMajorities(
            @ForAll("voterSets") long[] incoming, @ForAll("voterSets") long[] outgoing,
            @ForAll @Size(12) List<@IntRange(min = -1, max = 1) Integer> votes) {
        Map<Long, Integer> voteOf = new HashMap<>();
        for (long id = 1; id <= 12; id++) {
            voteOf.put(id, votes.get((int) id - 1));
        }
        VoteResult actual = new JointQuorum(incoming, outgoing).voteResult(voteOf::get);
        VoteResult in = bruteForce(incoming, voteOf);
        VoteResult out = bruteForce(outgoing, voteOf);
        VoteResult expected = in == VoteResult.WON && out == VoteResult.WON ? VoteResult.WON
                : in == VoteResult.LOST || out == VoteResult.LOST ? VoteResult.LOST : VoteResult.PENDING;
        assertThat(actual).isEqualTo(expected);
    }

    /** Won if a majority granted; lost if no way to fill the pending votes reaches a majority. */
    private static VoteResult bruteForce(long[] voters, Map<Long, Integer> voteOf) {
        int quorum = voters.length / 2 + 1;
        long granted = Arrays.stream(voters).filter(id -> voteOf.get(id) == Quorum.VoteSource.GRANTED).count();
        long pending = Arrays.stream(voters).filter(id -> voteOf.get(id) == Quorum.VoteSource.PENDING).count();
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        return granted + pending >= quorum ? VoteResult.PENDING : VoteResult.LOST;
    }

    @Property
    void theVotersAreTheUnionOfBothConfigurations(
            @ForAll("voterSets") long[] incoming, @ForAll("voterSets") long[] outgoing) {
        JointQuorum joint = new JointQuorum(incoming, outgoing);
        long[] union = LongStream.concat(Arrays.stream(incoming), Arrays.stream(outgoing)).distinct().sorted()
                .toArray();
        LongStream.Builder seen = LongStream.builder();
        joint.forEachVoter(seen::add);
        assertThat(seen.build().toArray()).containsExactly(union);
        for (long id = 1; id <= 13; id++) {
            long candidate = id;
            assertThat(joint.isVoter(id)).isEqualTo(Arrays.stream(union).anyMatch(v -> v == candidate));
        }
    }
}
