package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingFutures}: bounded by its table, the table allocated by the first registration and handed back
 * only while no future is pending, and no future lost when releases race registrations on other threads.
 */
class PendingFuturesTest {

    @Test
    void theTableIsAllocatedByTheFirstRegistrationAndHandedBackOnlyWhenEmpty() {
        PendingFutures futures = new PendingFutures(4);
        assertThat(futures.isAllocated()).isFalse();
        assertThat(futures.release()).isFalse();
        assertThat(futures.take(1)).isNull();
        CompletableFuture<Object> first = new CompletableFuture<>();
        long id = futures.register(first);
        assertThat(id).isPositive();
        assertThat(futures.isAllocated()).isTrue();
        assertThat(futures.release()).as("a future is pending").isFalse();
        assertThat(futures.take(id)).isSameAs(first);
        assertThat(futures.take(id)).as("once").isNull();
        assertThat(futures.release()).isTrue();
        assertThat(futures.isAllocated()).isFalse();
        CompletableFuture<Object> second = new CompletableFuture<>();
        long next = futures.register(second);
        assertThat(futures.allocations()).as("allocated again by the next registration").isEqualTo(2);
        assertThat(futures.take(next)).isSameAs(second);
    }

    @Test
    void aFullSlotRefusesTheRegistrationAndCountsItOutAgain() {
        PendingFutures futures = new PendingFutures(2);
        long a = futures.register(new CompletableFuture<>());
        long b = futures.register(new CompletableFuture<>());
        assertThat(futures.register(new CompletableFuture<>())).as("slot of a still taken").isZero();
        futures.take(a);
        futures.take(b);
        assertThat(futures.release()).as("the refused registration left no count behind").isTrue();
    }

    @Test
    void drainHandsOverEveryPendingFutureAndLeavesTheTableReleasable() {
        PendingFutures futures = new PendingFutures(8);
        futures.register(new CompletableFuture<>());
        futures.register(new CompletableFuture<>());
        List<CompletableFuture<Object>> drained = new ArrayList<>();
        futures.drain(drained::add);
        assertThat(drained).hasSize(2);
        assertThat(futures.release()).isTrue();
    }

    @Test
    void theCapacityMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new PendingFutures(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    /**
     * Registering threads race a thread that releases the table whenever it can: every future registered must
     * be found by its id afterwards (one put into a table already released would be lost).
     */
    @Test
    void noFutureIsLostWhenReleasesRaceRegistrations() throws Exception {
        PendingFutures futures = new PendingFutures(64);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong registered = new AtomicLong();
        AtomicLong releases = new AtomicLong();
        Thread releaser = new Thread(() -> {
            while (running.get()) {
                if (futures.release()) {
                    releases.incrementAndGet();
                }
            }
        });
        List<Thread> registrars = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            registrars.add(new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int i = 0; i < 20_000 || releases.get() < 100 && System.nanoTime() < deadline; i++) {
                        CompletableFuture<Object> future = new CompletableFuture<>();
                        long id = futures.register(future);
                        if (id == 0) {
                            continue; // the other thread's future holds the slot: refused, nothing to find
                        }
                        registered.incrementAndGet();
                        if (futures.take(id) != future) {
                            throw new AssertionError("future " + id + " was lost");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        releaser.start();
        registrars.forEach(Thread::start);
        for (Thread registrar : registrars) {
            registrar.join(TimeUnit.SECONDS.toMillis(90));
        }
        running.set(false);
        releaser.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(failure.get()).isNull();
        assertThat(registered.get()).isPositive();
        assertThat(releases.get()).as("the race was exercised: tables were released between registrations")
                .isPositive();
        assertThat(futures.release() || !futures.isAllocated()).as("nothing left pending").isTrue();
    }
}
