package io.ringraft.storage.wal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group commit across groups: {@link #awaitDurable} returns once the stream is durable up to a
 * position (at once, without the monitor, if it already is). The first caller that finds the stream
 * not durable enough becomes the leader: it has the writer write out its staging buffer and takes the
 * written end ({@link WalWriter#syncPoint()}), and forces the newest file once, which
 * makes every record of every group written before that point durable; callers arriving meanwhile
 * wait for it, and return if it covered them, or elect the next leader. So concurrent flushes from
 * many groups cost one {@code fdatasync} per round, however many groups took part. (Older files
 * were forced when the stream rolled past them.)
 *
 * <p><b>Hand-over without a wake-up.</b> A caller that arrives while a force is in progress and finds
 * no other caller spinning spins (instead of waiting on the monitor) until that force ends, if forces
 * are fast: the last one took at most {@link #SPIN_FORCE_LIMIT_NANOS}, and it spins at most twice
 * that long. It then returns if the force covered it, or leads the next round at once: with a few IO
 * threads (RaftHost), the next {@code fdatasync} starts right after the previous one instead of after
 * a thread wake-up (tens of microseconds, of the order of a fast disk's {@code fdatasync}). At most one
 * caller spins at a time (the others wait on the monitor), so a thread per group costs one spinning
 * thread, not one per group; with slow forces nobody spins.
 *
 * <p><b>Threads.</b> Called by the groups' log writer threads ({@code flush}, {@code saveVote}) and the
 * maintenance thread. Blocks on the {@code fsync}, or on waiting for another caller's. A failed
 * force is recorded by {@link FailStop} and wakes every waiter, which then throws.
 */
final class GroupCommit {

    /** Callers spin for the force in progress only if the last force took at most this long. */
    static final long SPIN_FORCE_LIMIT_NANOS = 500_000;

    private final WalWriter writer;
    private final FailStop failStop;
    private final Object monitor = new Object();
    // Written under monitor; read without it by the fast path of awaitDurable.
    private volatile long durableLsn;
    // Written under monitor; read without it by the spinning caller.
    private volatile boolean forcing;
    private long forces;
    /** How long the last force took; written by the leader, read by callers deciding whether to spin. */
    private volatile long lastForceNanos = Long.MAX_VALUE;
    /** True while one caller spins for the force in progress. */
    private final AtomicBoolean spinning = new AtomicBoolean();
    /** Callers that spun and found the force over (returned, or led the next round without waiting). */
    private final AtomicLong spinHandOvers = new AtomicLong();

    GroupCommit(WalWriter writer, FailStop failStop, long durableLsn) {
        this.writer = writer;
        this.failStop = failStop;
        this.durableLsn = durableLsn;
    }

    /** Returns once every record that ends at or before {@code lsn} is durable. */
    void awaitDurable(long lsn) throws IOException {
        failStop.check();
        if (durableLsn >= lsn) {
            return; // the round that covered it is over: no monitor, no wake-up
        }
        if (spinForForce(lsn)) {
            failStop.check();
            return;
        }
        while (true) {
            synchronized (monitor) {
                while (true) {
                    failStop.check();
                    if (durableLsn >= lsn) {
                        return;
                    }
                    if (!forcing) {
                        break;
                    }
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the shared log's fsync");
                    }
                }
                forcing = true;
            }
            lead();
        }
    }

    /**
     * Spins while a fast force is in progress (see the class comment), if no other caller spins.
     *
     * @return true if the stream is now durable up to {@code lsn}
     */
    private boolean spinForForce(long lsn) {
        long budget = lastForceNanos;
        if (!forcing || budget > SPIN_FORCE_LIMIT_NANOS || !spinning.compareAndSet(false, true)) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + 2 * budget;
            while (forcing && durableLsn < lsn && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            if (!forcing || durableLsn >= lsn) {
                spinHandOvers.incrementAndGet();
            }
            return durableLsn >= lsn;
        } finally {
            spinning.set(false);
        }
    }

    /** Forces the stream up to the writer's current end, as the leader of one round. */
    private void lead() throws IOException {
        WalWriter.SyncPoint point = null;
        boolean forced = false;
        try {
            point = writer.syncPoint();
            if (point.file().durableOffset < point.offset()) {
                long start = System.nanoTime();
                point.file().handle.force(false);
                lastForceNanos = System.nanoTime() - start;
                synchronized (monitor) {
                    forces++;
                }
            }
            forced = true;
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            synchronized (monitor) {
                forcing = false;
                if (forced) {
                    noteDurable(point.file(), point.offset());
                }
                monitor.notifyAll();
            }
        }
    }

    /** Records that {@code file} is durable up to {@code offset} (the writer forced it when rolling). */
    void markDurable(WalFile file, long offset) {
        synchronized (monitor) {
            noteDurable(file, offset);
            monitor.notifyAll();
        }
    }

    private void noteDurable(WalFile file, long offset) {
        if (file.durableOffset < offset) {
            file.durableOffset = offset;
        }
        durableLsn = Math.max(durableLsn, Lsn.of(file.seq, offset));
    }

    /** Wakes every waiter (after a failure or close, so that they see it). */
    void wakeAll() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Callers that spun for a force and found it over without a wake-up (for tests and the benchmark). */
    long spinHandOvers() {
        return spinHandOvers.get();
    }

    /** Forces issued by flushes so far (for tests and the benchmark). */
    long forces() {
        synchronized (monitor) {
            return forces;
        }
    }
}
