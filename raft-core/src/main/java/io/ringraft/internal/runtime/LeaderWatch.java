package io.ringraft.internal.runtime;

import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.RejectedException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The leader a node knows to be ready, and the threads that wait for one ({@code RaftNode.awaitLeader}).
 *
 * <p><b>Ready</b> means: a leader of this node's current term is known, and this node's commit index has
 * reached an entry of that term (the leader's no-op, or anything after it), so the leader serves
 * proposals, linearizable reads and membership changes. On the leader that is its own commit; on a
 * follower it is the commit index the leader sent (a heartbeat later).
 *
 * <p><b>Threads.</b> The core is the only writer ({@link #publish}, each duty cycle, a volatile read and
 * nothing else unless the value changed); the shutdown routine clears it once the core stopped.
 * {@link #ready()} is a volatile read from any thread. Waiters park on a {@link Condition} (no spinning;
 * virtual threads unmount) and wake when the value changes or the node stops ({@link #wake()}).
 *
 * <p><b>Bounded.</b> At most {@link #MAX_WAITERS} threads wait at once; more are refused at once. The
 * node holds nothing per waiter beyond the lock's own queue entry of each parked thread.
 */
public final class LeaderWatch {

    /** The most threads that may wait for a leader at once, by default. */
    static final int MAX_WAITERS = 1024;

    private final int maxWaiters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The ready leader's id, or 0. */
    private volatile long ready;
    /** Guarded by {@link #lock}. */
    private int waiters;

    public LeaderWatch() {
        this(MAX_WAITERS);
    }

    /** @param maxWaiters the most threads that may wait at once */
    LeaderWatch(int maxWaiters) {
        this.maxWaiters = maxWaiters;
    }

    /** {@return the ready leader's id, or 0} Any thread; a volatile read. */
    public long ready() {
        return ready;
    }

    /** Core (or the shutdown routine, after the core stopped): the ready leader is now {@code leader} (0: none). */
    public void publish(long leader) {
        if (leader == ready) {
            return;
        }
        lock.lock();
        try {
            ready = leader;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter to look again (the node is stopping). Any thread. */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a leader is ready, the node stops, or {@code timeoutNanos} pass.
     *
     * @param selfId  the node, for messages
     * @param stopped whether the node stopped (checked under the lock, so a stop is never missed)
     * @return the ready leader's id
     * @throws TimeoutException      if none was ready in time
     * @throws NodeStoppedException  if the node stopped (closed or failed) before one was
     * @throws RejectedException     if {@link #MAX_WAITERS} threads wait already
     * @throws InterruptedException  if the calling thread was interrupted
     */
    public long await(long timeoutNanos, long selfId, BooleanSupplier stopped) throws InterruptedException, TimeoutException {
        long leader = ready;
        if (leader != 0 && !stopped.getAsBoolean()) {
            return leader;
        }
        lock.lockInterruptibly();
        try {
            if (waiters == maxWaiters) {
                throw new RejectedException(maxWaiters + " threads await a leader of node " + selfId + " already");
            }
            waiters++;
            try {
                long remaining = timeoutNanos;
                while (true) {
                    if (stopped.getAsBoolean()) {
                        throw new NodeStoppedException("node " + selfId + " stopped while awaiting a leader");
                    }
                    leader = ready;
                    if (leader != 0) {
                        return leader;
                    }
                    if (remaining <= 0) {
                        throw new TimeoutException("node " + selfId + " knew of no ready leader within "
                                + timeoutNanos / 1_000_000 + " ms");
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many threads wait now} For tests. */
    int waiters() {
        lock.lock();
        try {
            return waiters;
        } finally {
            lock.unlock();
        }
    }
}
