package io.ringraft.internal.engine.quorum;

import io.ringraft.internal.engine.EngineConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** {@link MajorityQuorum} against naive oracles. */
class QuorumProperties {

    /** Sorted, unique voter ids, 1 to 9 of them (as {@link EngineConfig} keeps them). */
    @Provide
    Arbitrary<long[]> voterSets() {
        return Arbitraries.longs().between(1, 30).set().ofMinSize(1).ofMaxSize(9)
                .map(set -> set.stream().mapToLong(Long::longValue).sorted().toArray());
    }

    @Property
    void committedIndexIsTheQuorumThHighestMatch(
            @ForAll("voterSets") long[] voters,
            @ForAll @Size(9) List<@LongRange(min = 0, max = 1000) Long> matches) {
        checkCommittedIndex(voters, matches);
    }

    /** Few distinct values, so ties (several voters at the same match) are the common case. */
    @Property
    void committedIndexWithManyTies(
            @ForAll("voterSets") long[] voters,
            @ForAll @Size(9) List<@LongRange(min = 0, max = 4) Long> matches) {
        checkCommittedIndex(voters, matches);
    }

    private static void checkCommittedIndex(long[] voters, List<Long> matches) {
        Map<Long, Long> matchOf = new HashMap<>();
        for (int i = 0; i < voters.length; i++) {
            matchOf.put(voters[i], matches.get(i));
        }
        int n = voters.length;
        int quorum = n / 2 + 1;

        long actual = new MajorityQuorum(voters).committedIndex(id -> {
            Long m = matchOf.get(id);
            if (m == null) {
                throw new AssertionError("asked for non-voter " + id);
            }
            return m;
        });

        // Oracle 1: sort descending, take element quorum - 1.
        Long[] descending = matchOf.values().toArray(new Long[0]);
        Arrays.sort(descending, (a, b) -> Long.compare(b, a));
        long sorted = descending[quorum - 1];

        // Oracle 2: the largest i such that at least quorum voters have match >= i. The count only
        // drops just past a match value, so the largest such i is 0 or one of the matches.
        long counted = 0;
        for (long candidate : matchOf.values()) {
            int holders = 0;
            for (long m : matchOf.values()) {
                if (m >= candidate) {
                    holders++;
                }
            }
            if (holders >= quorum) {
                counted = Math.max(counted, candidate);
            }
        }

        assertThat(actual).isEqualTo(sorted).isEqualTo(counted);
    }

    @Property
    void voteResultMatchesABruteForceOracle(
            @ForAll("voterSets") long[] voters,
            @ForAll @Size(9) List<@IntRange(min = -1, max = 1) Integer> votes) {
        Map<Long, Integer> voteOf = new HashMap<>();
        for (int i = 0; i < voters.length; i++) {
            voteOf.put(voters[i], votes.get(i));
        }
        int n = voters.length;
        int granted = (int) voteOf.values().stream().filter(v -> v == Quorum.VoteSource.GRANTED).count();
        int pending = (int) voteOf.values().stream().filter(v -> v == Quorum.VoteSource.PENDING).count();

        VoteResult actual = new MajorityQuorum(voters).voteResult(voteOf::get);

        // The formula from the brief.
        VoteResult byFormula = granted >= n / 2 + 1 ? VoteResult.WON
                : granted + pending < n / 2 + 1 ? VoteResult.LOST : VoteResult.PENDING;
        // Brute force: try every way the pending voters could still answer.
        boolean someCompletionWins = false;
        boolean everyCompletionWins = true;
        for (int mask = 0; mask < (1 << pending); mask++) {
            int total = granted + Integer.bitCount(mask);
            boolean majority = 2 * total > n;
            someCompletionWins |= majority;
            everyCompletionWins &= majority;
        }
        VoteResult byBruteForce = everyCompletionWins ? VoteResult.WON
                : someCompletionWins ? VoteResult.PENDING : VoteResult.LOST;

        assertThat(actual).isEqualTo(byFormula).isEqualTo(byBruteForce);
    }

    @Property
    void isVoterAndForEachVoterAgreeWithTheSet(@ForAll("voterSets") long[] voters,
                                               @ForAll @LongRange(min = 0, max = 31) long probe) {
        MajorityQuorum quorum = new MajorityQuorum(voters);
        boolean expected = Arrays.stream(voters).anyMatch(v -> v == probe);
        assertThat(quorum.isVoter(probe)).isEqualTo(expected);
        List<Long> visited = new java.util.ArrayList<>();
        quorum.forEachVoter(visited::add);
        assertThat(visited).containsExactlyElementsOf(Arrays.stream(voters).boxed().toList());
        assertThat(quorum.quorumSize()).isEqualTo(voters.length / 2 + 1);
    }
}
