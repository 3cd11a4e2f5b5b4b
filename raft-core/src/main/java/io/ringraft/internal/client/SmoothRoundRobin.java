package io.ringraft.internal.client;

import io.ringraft.api.client.LoadBalancer;
import io.ringraft.api.client.Replica;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round robin (as nginx does it): each choice adds every candidate's weight to its
 * credit, takes the candidate with the most credit and takes the total weight from it. Over any run of
 * choices among the same candidates each gets its weight's share, evenly interleaved; with equal weights
 * it is plain rotation. Thread-safe (one lock, held for one pass over the candidates). Its credit table
 * holds one entry per node it has seen, at most {@link #MAX_NODES} (then it starts over).
 */
public final class SmoothRoundRobin implements LoadBalancer {

    /** Most nodes whose credit is kept. */
    static final int MAX_NODES = 4096;

    private final Map<Long, Long> credit = new HashMap<>();

    @Override
    public synchronized Replica choose(List<Replica> candidates) {
        if (credit.size() > MAX_NODES) {
            credit.clear();
        }
        boolean allZero = Weights.allZero(candidates);
        long total = 0;
        Replica best = null;
        long bestCredit = Long.MIN_VALUE;
        for (Replica replica : candidates) {
            long weight = Weights.effective(replica, allZero);
            if (weight == 0) {
                continue;
            }
            long mine = credit.merge(replica.nodeId(), weight, Long::sum);
            total += weight;
            if (mine > bestCredit) {
                best = replica;
                bestCredit = mine;
            }
        }
        credit.put(best.nodeId(), bestCredit - total);
        return best;
    }
}
