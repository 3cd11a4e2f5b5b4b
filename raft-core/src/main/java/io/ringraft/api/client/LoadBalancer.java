package io.ringraft.api.client;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the replica that answers a {@link GroupClient#askOne} (pluggable: implement it, or use a
 * strategy here). The built-in strategies respect {@link Replica#weight()} (which a group advertises,
 * {@link GroupBalancing}): a replica of weight 0 is chosen only when every candidate weighs 0. Called by the client on the caller's thread or its I/O thread, concurrently: an
 * implementation is thread-safe and must not block.
 */
@FunctionalInterface
public interface LoadBalancer {

    /**
     * Chooses one replica.
     *
     * @param candidates the replicas the call may still use (not empty; those that failed this call are
     *                   left out), in node-id order
     * @return one of {@code candidates}
     */
    Replica choose(List<Replica> candidates);

    /**
     * {@return weighted round robin: over choices among the same candidates each gets its weight's share,
     * evenly interleaved (smooth weighted round robin; equal weights give plain rotation)}
     */
    static LoadBalancer roundRobin() {
        return new io.ringraft.internal.client.SmoothRoundRobin();
    }

    /**
     * {@return the candidate with the least requests in flight per weight, {@code (outstanding + 1) /
     * weight} (ties: the first)}
     */
    static LoadBalancer leastOutstanding() {
        return candidates -> {
            boolean allZero = io.ringraft.internal.client.Weights.allZero(candidates);
            Replica best = candidates.get(0);
            for (Replica replica : candidates) {
                if (io.ringraft.internal.client.Weights.lighter(replica, best, allZero)) {
                    best = replica;
                }
            }
            return best;
        };
    }

    /**
     * {@return of two candidates drawn at random in proportion to their weights, the one with fewer
     * requests in flight per weight (the first drawn on a tie, so an idle group gets weighted random)}
     */
    static LoadBalancer powerOfTwoChoices() {
        return candidates -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Replica first = io.ringraft.internal.client.Weights.draw(candidates, random);
            Replica second = io.ringraft.internal.client.Weights.draw(candidates, random);
            return io.ringraft.internal.client.Weights.lighterNow(second, first,
                    io.ringraft.internal.client.Weights.allZero(candidates)) ? second : first;
        };
    }

    /** {@return a candidate drawn at random in proportion to its weight} */
    static LoadBalancer random() {
        return candidates -> io.ringraft.internal.client.Weights.draw(candidates, ThreadLocalRandom.current());
    }

    /**
     * {@return {@code within} over the candidates in {@code zone}, or over all of them if none is there}
     *
     * @param zone   the client's zone
     * @param within the strategy among the chosen candidates
     */
    static LoadBalancer preferZone(String zone, LoadBalancer within) {
        return candidates -> {
            List<Replica> local = candidates.stream().filter(replica -> zone.equals(replica.zone())).toList();
            return within.choose(local.isEmpty() ? candidates : local);
        };
    }
}
