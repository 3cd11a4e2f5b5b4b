package io.ringraft.net.netty.internal.channel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs one kind of warning at most once per interval and says how many it suppressed meanwhile,
 * so that a peer sending garbage (or reconnecting in a loop) cannot flood the log. The first warning
 * goes out at once; {@link #rearm()} makes the next one go out at once again (after a recovery).
 * Thread-safe, lock-free; allocates only when it logs.
 */
final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger log, long intervalMillis) {
        this(log, intervalMillis, System::nanoTime);
    }

    RateLimitedLog(Logger log, long intervalMillis, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.nanoClock = nanoClock;
        this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
    }

    /** Logs at WARN unless a message was logged less than the interval ago. */
    void warn(String format, Object... args) {
        long now = nanoClock.getAsLong();
        long next = nextAllowed.get();
        if (now - next < 0 || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (skipped == 0) {
            log.warn(format, args);
        } else {
            Object[] withCount = Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = skipped;
            log.warn(format + " ({} similar messages suppressed)", withCount);
        }
    }

    /**
     * The condition is over: the next {@link #warn} logs at once.
     *
     * @return how many warnings were suppressed since the last one logged (they are forgotten)
     */
    long rearm() {
        nextAllowed.set(nanoClock.getAsLong());
        return suppressed.getAndSet(0);
    }
}
