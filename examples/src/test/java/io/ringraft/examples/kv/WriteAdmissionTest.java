package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteAdmission}: writes beyond the limit are refused at once; the limit shrinks when commit
 * latency rises above twice the unloaded latency and grows back while it stays low.
 */
class WriteAdmissionTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1);

    @Test
    void refusesBeyondTheLimitAndAdmitsAgainOnceASlotIsFree() {
        WriteAdmission admission = new WriteAdmission(4, 1, 100, 0, now::get);
        for (int i = 0; i < 4; i++) {
            assertThat(admission.tryAcquire()).isTrue();
        }
        assertThat(admission.tryAcquire()).as("the fifth write in flight").isFalse();
        assertThat(admission.inFlight()).isEqualTo(4);
        admission.release(MS, true);
        assertThat(admission.tryAcquire()).isTrue();
    }

    @Test
    void theLimitShrinksWhenLatencyRisesAndGrowsWhileItStaysLow() {
        WriteAdmission admission = new WriteAdmission(200, 8, 1000, 0, now::get);
        run(admission, 400, 2 * MS); // the unloaded latency: 2 ms
        int unloaded = admission.limit();
        assertThat(unloaded).as("grows while latency stays low").isGreaterThan(200);

        run(admission, 400, 40 * MS); // queueing: twenty times the unloaded latency
        int loaded = admission.limit();
        assertThat(loaded).as("shrinks when latency rises").isLessThan(unloaded / 4);
        assertThat(loaded).isGreaterThanOrEqualTo(8);
        assertThat(admission.retryAfterMillis()).as("hint: about the recent latency").isBetween(20L, 40L);

        run(admission, 2000, 2 * MS);
        assertThat(admission.limit()).as("grows back").isGreaterThan(loaded);
    }

    @Test
    void failedWritesSayNothingAboutTheCommitLatency() {
        WriteAdmission admission = new WriteAdmission(100, 8, 1000, 0, now::get);
        run(admission, 200, 2 * MS);
        int before = admission.limit();
        for (int i = 0; i < 400; i++) {
            assertThat(admission.tryAcquire()).isTrue();
            admission.release(500 * MS, false);
        }
        assertThat(admission.limit()).isEqualTo(before);
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void latencyBelowTheFloorNeverShrinksTheLimit() {
        WriteAdmission admission = new WriteAdmission(200, 8, 1000, 50 * MS, now::get);
        run(admission, 200, MS);
        int before = admission.limit();
        run(admission, 400, 40 * MS); // forty times the unloaded latency, but within the floor
        assertThat(admission.limit()).isGreaterThanOrEqualTo(before);
        run(admission, 400, 400 * MS);
        assertThat(admission.limit()).as("beyond the floor it shrinks").isLessThan(before);
    }

    /** {@code count} writes, each acquired and completed after {@code latency}, one at a time. */
    private void run(WriteAdmission admission, int count, long latency) {
        for (int i = 0; i < count; i++) {
            assertThat(admission.tryAcquire()).isTrue();
            now.addAndGet(latency / 10);
            admission.release(latency, true);
        }
    }
}
