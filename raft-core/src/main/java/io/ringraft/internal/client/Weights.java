package io.ringraft.internal.client;

import io.ringraft.api.client.Replica;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Weight arithmetic shared by the built-in load balancers: a replica's weight as a balancer uses it
 * (0 counts only when every candidate weighs 0, then all count as 1), weighted random picks and the
 * load-per-weight order. Stateless.
 */
public final class Weights {

    private Weights() {
    }

    /**
     * {@return {@code replica}'s weight among candidates whose weights are all 0 ({@code allZero}) or not}
     *
     * @param replica  a candidate
     * @param allZero  whether every candidate weighs 0
     */
    public static long effective(Replica replica, boolean allZero) {
        return allZero ? 1 : Math.max(0, replica.weight());
    }

    /**
     * {@return whether every candidate weighs 0 (or less)}
     *
     * @param candidates the candidates
     */
    public static boolean allZero(List<Replica> candidates) {
        for (Replica replica : candidates) {
            if (replica.weight() > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return a candidate drawn with probability proportional to its weight}
     *
     * @param candidates not empty
     * @param random     the source of randomness
     */
    public static Replica draw(List<Replica> candidates, RandomGenerator random) {
        boolean allZero = allZero(candidates);
        long total = 0;
        for (Replica replica : candidates) {
            total += effective(replica, allZero);
        }
        long pick = random.nextLong(total);
        for (Replica replica : candidates) {
            pick -= effective(replica, allZero);
            if (pick < 0) {
                return replica;
            }
        }
        return candidates.get(candidates.size() - 1);
    }

    /**
     * {@return whether {@code a} carries less load per weight than {@code b}: (outstanding + 1) / weight
     * (the load it would carry if chosen), a replica of weight 0 carrying the most}
     *
     * @param a       a candidate
     * @param b       another
     * @param allZero whether every candidate weighs 0
     */
    public static boolean lighter(Replica a, Replica b, boolean allZero) {
        return lighter(a, b, allZero, 1);
    }

    /**
     * {@return whether {@code a} carries strictly less load per weight than {@code b}: outstanding /
     * weight (equal when neither has requests in flight), a replica of weight 0 carrying the most}
     *
     * @param a       a candidate
     * @param b       another
     * @param allZero whether every candidate weighs 0
     */
    public static boolean lighterNow(Replica a, Replica b, boolean allZero) {
        return lighter(a, b, allZero, 0);
    }

    private static boolean lighter(Replica a, Replica b, boolean allZero, int plus) {
        long wa = effective(a, allZero);
        long wb = effective(b, allZero);
        if (wa == 0 || wb == 0) {
            return wa > wb;
        }
        return ((long) a.outstanding() + plus) * wb < ((long) b.outstanding() + plus) * wa;
    }
}
