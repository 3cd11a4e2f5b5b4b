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

    /** Set for a hosted group's signal: a wake schedules the group on its host thread instead. */
    private final Runnable onWake;
    private volatile Thread owner;
    private volatile boolean parked;
    private volatile boolean pending;

    /** A signal its owner thread waits on ({@link #awaitWake}). */
    public Signal() {
        this.onWake = null;
    }

    /**
     * A signal nobody waits on: each {@link #wake()} runs {@code onWake} instead (a host schedules the
     * group whose tasks watch it on the thread that runs them). {@code onWake} runs on the waking thread,
     * so it must be quick, never block and allocate nothing.
     *
     * @param onWake what a wake does
     */
    public Signal(Runnable onWake) {
        this.onWake = java.util.Objects.requireNonNull(onWake, "onWake");
    }

    /** Binds the signal to the thread that will wait on it (before it first waits). */
    public void bind(Thread thread) {
        owner = thread;
    }

    /** Any thread: makes the owner run its duty cycle again soon. */
    public void wake() {
        if (onWake != null) {
            onWake.run();
            return;
        }
        pending = true;
        if (parked) {
            Thread thread = owner;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Owner thread only: parks for at most {@code maxNanos} unless woken (or a wake is pending). */
    public void awaitWake(long maxNanos) {
        parked = true;
        if (!pending) {
            LockSupport.parkNanos(this, maxNanos);
        }
        parked = false;
        pending = false;
    }
}
