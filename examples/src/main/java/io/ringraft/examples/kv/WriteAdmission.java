package io.ringraft.examples.kv;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission at the door of a node's RESP server: bounds the writes in flight (started, not yet
 * answered) at what the node commits without queueing, and refuses the excess at once with
 * {@code -TRYAGAIN} and a retry hint, before the command is encoded or proposed. Overload then costs
 * a refusal, not a proposal that waits in a queue until its client gave up (which is what made the
 * goodput collapse, and through a follower made answers uncertain).
 *
 * <p><b>The limit adapts to commit latency</b> (a gradient, as in TCP Vegas): the lowest latency seen
 * recently is the node's unloaded latency; the target is twice it plus a millisecond, but at least
 * {@code latencyFloorNanos} (a tenth of the command timeout in the example: more writes in flight make
 * bigger batches, so a small queue costs no goodput, while a machine whose latency jitters does not
 * shrink the limit for nothing). While the recent average stays within the target, the limit grows by
 * a sixteenth per update; above it, the limit shrinks in proportion (at most by half per update), so
 * the queue in front of the log stays well within the clients' timeout. The lowest latency is forgotten every ten seconds, so a slower phase (a bigger disk queue,
 * another machine load) resets the baseline. Between {@code minLimit} and {@code maxLimit}.
 *
 * <p><b>Waiting at the door.</b> A connection that finds no slot may {@link #awaitSlot wait} for one
 * instead of refusing at once: each release wakes one waiting connection, which takes the slot (or
 * passes the wake on with {@link #wakeNext} if it no longer needs one). A connection waits at most once
 * at a time, so the waiters are bounded by the open connections.
 *
 * <p>Thread-safe: {@link #tryAcquire} on connections' event loops, {@link #release} wherever the
 * write's future completes; waiters are woken on the releasing thread and must only schedule their
 * work. Lock-free; the statistics are racy by design (a lost update only delays the next adjustment).
 */
final class WriteAdmission {

    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long SLACK_NANOS = 1_000_000L;

    private final int minLimit;
    private final int maxLimit;
    private final long latencyFloorNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile int limit;
    /** Racy statistics, updated on completions. */
    private volatile long minLatencyNanos = Long.MAX_VALUE;
    private volatile long minSinceNanos;
    private volatile long averageNanos;
    private volatile int completionsSinceUpdate;
    private final java.util.function.LongSupplier clock;
    /** Connections waiting for a slot, each at most once (so bounded by the open connections). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> waiters =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * @param initialLimit the first limit
     * @param minLimit     the limit never goes below (positive)
     * @param maxLimit     the limit never goes above
     * @param latencyFloorNanos the latency target is never below this
     * @param clock        nanoseconds (System::nanoTime)
     */
    WriteAdmission(int initialLimit, int minLimit, int maxLimit, long latencyFloorNanos,
                   java.util.function.LongSupplier clock) {
        if (minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= minLimit <= initialLimit <= maxLimit, got " + minLimit + ", "
                    + initialLimit + ", " + maxLimit);
        }
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.latencyFloorNanos = latencyFloorNanos;
        this.clock = clock;
        this.minSinceNanos = clock.getAsLong();
    }

    /** Takes a slot for a write; false (nothing taken) if {@link #limit()} writes are in flight. */
    boolean tryAcquire() {
        while (true) {
            int current = inFlight.get();
            if (current >= limit) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Gives the slot back once the write was answered.
     *
     * @param latencyNanos how long it took
     * @param committed    whether it was committed (a failure says nothing about the commit latency)
     */
    void release(long latencyNanos, boolean committed) {
        inFlight.decrementAndGet();
        wakeNext();
        if (!committed || latencyNanos < 0) {
            return;
        }
        long now = clock.getAsLong();
        if (now - minSinceNanos > WINDOW_NANOS) {
            minLatencyNanos = latencyNanos; // forget an old baseline
            minSinceNanos = now;
        } else if (latencyNanos < minLatencyNanos) {
            minLatencyNanos = latencyNanos;
        }
        long average = averageNanos;
        averageNanos = average == 0 ? latencyNanos : average + (latencyNanos - average) / 16;
        int current = limit;
        if (++completionsSinceUpdate < Math.max(16, current / 4)) {
            return;
        }
        completionsSinceUpdate = 0;
        long target = Math.max(latencyFloorNanos, 2 * minLatencyNanos + SLACK_NANOS);
        long recent = averageNanos;
        int next;
        if (recent <= target) {
            next = current + Math.max(1, current / 16); // room: grow (faster when large)
        } else {
            next = (int) Math.max(current / 2, (long) current * target / recent);
        }
        limit = Math.max(minLimit, Math.min(maxLimit, next));
    }

    /**
     * Registers {@code wake} to run once a slot may be free (on the thread that frees it: it must only
     * schedule work). The caller registers at most once until woken, and tries {@link #tryAcquire}
     * again after registering, so a slot freed meanwhile is not missed.
     *
     * @param wake what wakes the waiting connection
     */
    void awaitSlot(Runnable wake) {
        waiters.add(wake);
    }

    /**
     * Wakes the longest waiting connection, if any: called on each release, and by a woken connection
     * that did not need the slot after all, so a free slot never sits idle while others wait.
     */
    void wakeNext() {
        Runnable next = waiters.poll();
        if (next != null) {
            next.run();
        }
    }

    /** Connections waiting for a slot now. */
    int waiting() {
        return waiters.size();
    }

    /** The current limit of writes in flight. */
    int limit() {
        return limit;
    }

    /** Writes in flight now. */
    int inFlight() {
        return inFlight.get();
    }

    /** How long a refused client should wait before it retries: about one recent commit latency, in ms. */
    long retryAfterMillis() {
        return Math.max(1, averageNanos / 1_000_000L);
    }
}
