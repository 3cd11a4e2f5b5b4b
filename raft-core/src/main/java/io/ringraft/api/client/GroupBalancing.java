package io.ringraft.api.client;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a group wants its reads spread: a strategy and a weight per replica. The nodes advertise it with
 * their membership ({@code ClientServer.Builder.balancing} in raft-net-netty; configure the same on every
 * node), and a client's {@link GroupClient#askOne} uses it unless the caller chose a balancer
 * ({@link RaftClient.Builder#balancer} or {@link GroupClient#withBalancer}). The weights reach every
 * balancer, the caller's too, through {@link Replica#weight()}. Immutable.
 *
 * @param strategy the strategy
 * @param weights  weight by node id, each 0..{@link #MAX_WEIGHT}; a replica not named weighs 1, one of
 *                 weight 0 is chosen only when every candidate weighs 0 (a replica kept out of reads)
 */
public record GroupBalancing(Strategy strategy, Map<Long, Integer> weights) {

    /** The largest weight (weights are relative: 1 and 3 mean a quarter and three quarters). */
    public static final int MAX_WEIGHT = 1_000_000;

    /** The strategies a group can advertise (each a {@link LoadBalancer} that respects weights). */
    public enum Strategy {
        /** {@link LoadBalancer#roundRobin()}. */
        ROUND_ROBIN,
        /** {@link LoadBalancer#leastOutstanding()}. */
        LEAST_OUTSTANDING,
        /** {@link LoadBalancer#powerOfTwoChoices()}. */
        POWER_OF_TWO_CHOICES,
        /** {@link LoadBalancer#random()}. */
        RANDOM;

        /** {@return a new balancer of this strategy (with its own state)} */
        public LoadBalancer newBalancer() {
            return switch (this) {
                case ROUND_ROBIN -> LoadBalancer.roundRobin();
                case LEAST_OUTSTANDING -> LoadBalancer.leastOutstanding();
                case POWER_OF_TWO_CHOICES -> LoadBalancer.powerOfTwoChoices();
                case RANDOM -> LoadBalancer.random();
            };
        }
    }

    /**
     * Checks and copies the weights (sorted by node id).
     *
     * @param strategy the strategy
     * @param weights  weight by node id
     * @throws IllegalArgumentException if a weight is outside 0..{@link #MAX_WEIGHT}
     */
    public GroupBalancing {
        Objects.requireNonNull(strategy, "strategy");
        TreeMap<Long, Integer> sorted = new TreeMap<>();
        for (Map.Entry<Long, Integer> entry : weights.entrySet()) {
            int weight = entry.getValue();
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("the weight of node " + entry.getKey() + " must be in 0.."
                        + MAX_WEIGHT + ", got " + weight);
            }
            sorted.put(entry.getKey(), weight);
        }
        weights = java.util.Collections.unmodifiableMap(sorted);
    }

    /**
     * {@return {@code strategy} with every replica weighing 1}
     *
     * @param strategy the strategy
     */
    public static GroupBalancing of(Strategy strategy) {
        return new GroupBalancing(strategy, Map.of());
    }

    /**
     * {@return this balancing with node {@code nodeId} weighing {@code weight}}
     *
     * @param nodeId a replica's node id
     * @param weight 0..{@link #MAX_WEIGHT}
     * @throws IllegalArgumentException if {@code weight} is out of range
     */
    public GroupBalancing withWeight(long nodeId, int weight) {
        Map<Long, Integer> more = new TreeMap<>(weights);
        more.put(nodeId, weight);
        return new GroupBalancing(strategy, more);
    }

    /**
     * {@return the weight of node {@code nodeId} (1 if not named)}
     *
     * @param nodeId a replica's node id
     */
    public int weightOf(long nodeId) {
        return weights.getOrDefault(nodeId, 1);
    }
}
