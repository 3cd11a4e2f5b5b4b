package io.ringraft.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the thread that runs a set of tasks when a pointer they watch moves.
 *
 * <p>A producer calls {@link #wake()} after publishing a pointer; the task thread's idle strategy
 * calls {@link #awaitWake(long)} when a duty cycle found no work. The pending flag closes the race
 * between "found no work" and "parked": a wake that lands in between makes the next wait return at
 * once. Safe for any number of producers and one waiting thread.
 *
 * <p>Called by every task (and the application's threads) that publishes something another task
 * watches; {@link #wake()} never blocks. Only the owner thread's idle strategy waits, and for at most
 * the time it asks.
 */
public final class Signal {

    private volatile Thread owner;
    private volatile boolean parked;
    private volatile boolean pending;

    /** Binds the signal to the thread that will wait on it. */
    void bind(Thread thread) {
        owner = thread;
    }

    /** Any thread: makes the owner run its duty cycle again soon. */
    public void wake() {
        pending = true;
        if (parked) {
            Thread thread = owner;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Owner thread only: parks for at most {@code maxNanos} unless woken (or a wake is pending). */
    void awaitWake(long maxNanos) {
        parked = true;
        if (!pending) {
            LockSupport.parkNanos(this, maxNanos);
        }
        parked = false;
        pending = false;
    }
}
