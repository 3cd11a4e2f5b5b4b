package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Delays double from the initial value up to the maximum, each jittered within its upper half. */
class ReconnectBackoffTest {

    private static final long MS = 1_000_000L;

    @Test
    void theCeilingDoublesUpToTheMaximumAndTheDelayStaysInItsUpperHalf() {
        ReconnectBackoff lowest = new ReconnectBackoff(100 * MS, 1000 * MS, bound -> 0);
        ReconnectBackoff highest = new ReconnectBackoff(100 * MS, 1000 * MS, bound -> bound - 1);
        long[] ceilings = {100, 200, 400, 800, 1000, 1000};
        for (int failures = 1; failures <= ceilings.length; failures++) {
            long ceiling = ceilings[failures - 1] * MS;
            assertThat(lowest.delayNanos(failures)).isEqualTo(ceiling / 2);
            assertThat(highest.delayNanos(failures)).isEqualTo(ceiling);
        }
        assertThat(highest.delayNanos(Integer.MAX_VALUE)).isEqualTo(1000 * MS); // no overflow
    }

    @Test
    void theDefaultRandomnessSpreadsDelaysWithinTheRange() {
        ReconnectBackoff backoff = new ReconnectBackoff(100 * MS, 5000 * MS);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long delay = backoff.delayNanos(3);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(min).isBetween(200 * MS, 240 * MS);
        assertThat(max).isBetween(360 * MS, 400 * MS);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new ReconnectBackoff(0, 1, b -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(2, 1, b -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(1, 2, b -> ThreadLocalRandom.current().nextLong(b)).delayNanos(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
