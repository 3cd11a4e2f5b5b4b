package io.ringraft.storage.wal;

import java.io.IOException;
import java.io.InterruptedIOException;

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
 * <p><b>Threads.</b> Called by the groups' log writer threads ({@code flush}, {@code saveVote}) and the
 * maintenance thread. Blocks on the {@code fsync}, or on waiting for another caller's. A failed
 * force is recorded by {@link FailStop} and wakes every waiter, which then throws.
 */
final class GroupCommit {

    private final WalWriter writer;
    private final FailStop failStop;
    private final Object monitor = new Object();
    // Written under monitor; read without it by the fast path of awaitDurable.
    private volatile long durableLsn;
    private boolean forcing;
    private long forces;

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

    /** Forces the stream up to the writer's current end, as the leader of one round. */
    private void lead() throws IOException {
        WalWriter.SyncPoint point = null;
        boolean forced = false;
        try {
            point = writer.syncPoint();
            if (point.file().durableOffset < point.offset()) {
                point.file().handle.force(false);
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

    /** Forces issued by flushes so far (for tests and the benchmark). */
    long forces() {
        synchronized (monitor) {
            return forces;
        }
    }
}
