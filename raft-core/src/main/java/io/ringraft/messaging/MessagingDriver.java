package io.ringraft.messaging;

import io.ringraft.internal.messaging.Deliverer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that delivers the outboxes of a process's messaging groups: one thread for any number of
 * groups (created by the application, one per process or per host, and handed to
 * {@link MessagingGroup#attach}). Each round runs every attached group's delivery loop once (a group that
 * does not lead does nothing); the thread parks between rounds until a group emits, a delivery or
 * acknowledgement completes, or {@code pollInterval} passes (which is how it notices leadership changes).
 * Its work per round is bounded: at most {@link OutboxSettings#maxBatchesInFlight()} batches per pair in flight. Delivery never blocks this thread; the
 * futures complete on the groups' threads, which only wake it.
 */
public final class MessagingDriver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MessagingDriver.class);

    private final CopyOnWriteArrayList<Deliverer> deliverers = new CopyOnWriteArrayList<>();
    private final long pollNanos;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts the delivery thread (a daemon named {@code name}).
     *
     * @param name         the thread's name
     * @param pollInterval how often an idle driver looks for leadership changes and due retries
     * @return the running driver
     */
    public static MessagingDriver start(String name, java.time.Duration pollInterval) {
        return new MessagingDriver(name, pollInterval.toNanos());
    }

    private MessagingDriver(String name, long pollNanos) {
        if (pollNanos <= 0) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
        this.pollNanos = pollNanos;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    void add(Deliverer deliverer) {
        deliverers.add(deliverer);
        wake();
    }

    void remove(Deliverer deliverer) {
        deliverers.remove(deliverer);
    }

    /** Makes the thread run a round soon (any thread). */
    void wake() {
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            int work = 0;
            for (Deliverer deliverer : deliverers) {
                try {
                    work += deliverer.doWork();
                } catch (RuntimeException e) {
                    LOG.error("messaging delivery of {} failed; it goes on at the next round", deliverer.roleName(), e);
                }
            }
            if (work == 0 && running) {
                LockSupport.parkNanos(this, pollNanos);
            }
        }
    }

    /** Stops the thread and waits for it (up to 10 s). Deliveries in flight complete on their own. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
