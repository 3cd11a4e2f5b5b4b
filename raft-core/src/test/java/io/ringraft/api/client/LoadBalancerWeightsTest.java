package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The built-in strategies give each replica its weight's share of the choices. */
class LoadBalancerWeightsTest {

    /** A replica with a weight and a settable count of requests in flight. */
    private static final class TestReplica implements Replica {
        final long id;
        final int weight;
        int outstanding;

        TestReplica(long id, int weight) {
            this.id = id;
            this.weight = weight;
        }

        @Override
        public long nodeId() {
            return id;
        }

        @Override
        public String zone() {
            return null;
        }

        @Override
        public int outstanding() {
            return outstanding;
        }

        @Override
        public int weight() {
            return weight;
        }
    }

    private static List<Replica> replicas(int... weights) {
        List<Replica> replicas = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            replicas.add(new TestReplica(i + 1, weights[i]));
        }
        return replicas;
    }

    private static Map<Long, Integer> spread(LoadBalancer balancer, List<Replica> candidates, int choices) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (int i = 0; i < choices; i++) {
            counts.merge(balancer.choose(candidates).nodeId(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinGivesEachItsWeightsShareExactlyAndInterleaved() {
        LoadBalancer balancer = LoadBalancer.roundRobin();
        List<Replica> candidates = replicas(1, 2, 3);
        assertThat(spread(balancer, candidates, 600)).isEqualTo(Map.of(1L, 100, 2L, 200, 3L, 300));
        // smooth: within one cycle of 6 the heaviest is never picked three times in a row
        List<Long> cycle = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cycle.add(balancer.choose(candidates).nodeId());
        }
        assertThat(cycle).containsExactlyInAnyOrder(1L, 2L, 2L, 3L, 3L, 3L);
        for (int i = 2; i < cycle.size(); i++) {
            assertThat(cycle.get(i) == 3L && cycle.get(i - 1) == 3L && cycle.get(i - 2) == 3L).isFalse();
        }
    }

    @Test
    void roundRobinWithEqualWeightsRotates() {
        LoadBalancer balancer = LoadBalancer.roundRobin();
        List<Replica> candidates = replicas(1, 1, 1);
        List<Long> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(balancer.choose(candidates).nodeId());
        }
        assertThat(picks).containsExactly(1L, 2L, 3L, 1L, 2L, 3L);
    }

    @Test
    void randomAndPowerOfTwoGiveEachItsWeightsShareWithinTenPercent() {
        int choices = 60_000;
        List<Replica> candidates = replicas(1, 2, 3);
        for (LoadBalancer balancer : List.of(LoadBalancer.random(), LoadBalancer.powerOfTwoChoices())) {
            Map<Long, Integer> counts = spread(balancer, candidates, choices);
            // shares 1/6, 2/6, 3/6; the standard deviation of a count is under 125, 10 % of the smallest share 1,000
            for (long id = 1; id <= 3; id++) {
                double share = choices * id / 6.0;
                assertThat((double) counts.getOrDefault(id, 0)).as("node %d of %s", id, counts)
                        .isBetween(share * 0.9, share * 1.1);
            }
        }
    }

    @Test
    void leastOutstandingFillsReplicasInProportionToTheirWeights() {
        List<Replica> candidates = replicas(1, 3);
        LoadBalancer balancer = LoadBalancer.leastOutstanding();
        for (int i = 0; i < 400; i++) { // each choice stays in flight
            ((TestReplica) balancer.choose(candidates)).outstanding++;
        }
        assertThat(((TestReplica) candidates.get(0)).outstanding).isEqualTo(100);
        assertThat(((TestReplica) candidates.get(1)).outstanding).isEqualTo(300);
    }

    @Test
    void aReplicaOfWeightZeroIsChosenOnlyWhenAllWeighZero() {
        for (LoadBalancer balancer : List.of(LoadBalancer.roundRobin(), LoadBalancer.random(),
                LoadBalancer.powerOfTwoChoices(), LoadBalancer.leastOutstanding())) {
            assertThat(spread(balancer, replicas(0, 1, 1), 300)).doesNotContainKey(1L);
            assertThat(spread(balancer, replicas(0, 0), 300)).containsKey(1L);
        }
        assertThat(spread(LoadBalancer.roundRobin(), replicas(0, 0), 300)).isEqualTo(Map.of(1L, 150, 2L, 150));
    }

    @Test
    void groupBalancingChecksWeightsAndNamesItsStrategy() {
        GroupBalancing balancing = GroupBalancing.of(GroupBalancing.Strategy.RANDOM).withWeight(2, 5);
        assertThat(balancing.weightOf(2)).isEqualTo(5);
        assertThat(balancing.weightOf(7)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> balancing.withWeight(3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node 3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> balancing.withWeight(3, GroupBalancing.MAX_WEIGHT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        for (GroupBalancing.Strategy strategy : GroupBalancing.Strategy.values()) {
            assertThat(strategy.newBalancer().choose(replicas(1, 1)).nodeId()).isIn(1L, 2L);
        }
    }
}
