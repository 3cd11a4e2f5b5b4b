package io.ringraft.net.netty.internal.channel;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Jittered exponential reconnect delays ("equal jitter"): after {@code n} consecutive failures the
 * ceiling is {@code min(max, initial * 2^(n-1))} and the delay is uniform in
 * {@code [ceiling / 2, ceiling]}. The jitter spreads the reconnects of many nodes to a peer that
 * comes back; the lower half bound keeps a flapping peer from being hammered. Stateless and
 * thread-safe.
 */
final class ReconnectBackoff {

    private final long initialNanos;
    private final long maxNanos;
    private final LongUnaryOperator random;

    /** @param random given {@code bound > 0}, returns a uniform value in {@code [0, bound)} */
    ReconnectBackoff(long initialNanos, long maxNanos, LongUnaryOperator random) {
        if (initialNanos <= 0 || maxNanos < initialNanos) {
            throw new IllegalArgumentException("need 0 < initial <= max, got initial=" + initialNanos
                    + "ns max=" + maxNanos + "ns");
        }
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
        this.random = random;
    }

    ReconnectBackoff(long initialNanos, long maxNanos) {
        this(initialNanos, maxNanos, bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    /** The delay before the next attempt after {@code failures >= 1} consecutive failures. */
    long delayNanos(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1, got " + failures);
        }
        int doublings = Math.min(failures - 1, 62);
        long ceiling = initialNanos > (maxNanos >> doublings) ? maxNanos : Math.min(maxNanos, initialNanos << doublings);
        long half = ceiling / 2;
        return half + random.applyAsLong(ceiling - half + 1);
    }
}
