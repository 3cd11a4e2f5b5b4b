package io.ringraft.api.client;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the replica that answers a {@link GroupClient#askOne} (pluggable: implement it, or use a
 * strategy here). Called by the client on the caller's thread or its I/O thread, concurrently: an
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

    /** {@return round robin over the candidates (each its share in turn)} */
    static LoadBalancer roundRobin() {
        AtomicLong next = new AtomicLong();
        return candidates -> candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
    }

    /** {@return the candidate with the fewest requests in flight (ties: the first)} */
    static LoadBalancer leastOutstanding() {
        return candidates -> {
            Replica best = candidates.get(0);
            for (Replica replica : candidates) {
                if (replica.outstanding() < best.outstanding()) {
                    best = replica;
                }
            }
            return best;
        };
    }

    /** {@return of two candidates picked at random, the one with fewer requests in flight} */
    static LoadBalancer powerOfTwoChoices() {
        return candidates -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Replica first = candidates.get(random.nextInt(candidates.size()));
            Replica second = candidates.get(random.nextInt(candidates.size()));
            return second.outstanding() < first.outstanding() ? second : first;
        };
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
