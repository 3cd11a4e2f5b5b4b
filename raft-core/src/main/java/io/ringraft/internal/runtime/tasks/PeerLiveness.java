package io.ringraft.internal.runtime.tasks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * What a host's liveness detector and scheduler exchange with one node's core about quiescence: peers
 * reported unreachable (any thread to the core) and whether the node is quiet now (the core to any
 * thread).
 *
 * <p><b>Unreachable peers</b> go through a fixed array of slots (as many as the node has members at
 * most), each holding a node id or 0: {@link #reportUnreachable} puts the id in a free slot with one
 * CAS (or finds it there already), the core takes every slot with {@link #drain}. Nothing is allocated
 * and nothing blocks. If every slot is taken (more distinct peers reported between two core cycles
 * than the node can have members), the report sets an overflow flag instead; the core then wakes the
 * node as an inbound message would ({@code RaftEngine.wake()}), which is always safe: the node
 * resumes its timers and finds out about its leader the ordinary way, only later than a precise
 * report would have let it.
 *
 * <p><b>Quiet</b> is a volatile flag the core publishes after every cycle in which it changed: a host
 * scheduler may stop ticking a quiet node (the engine ignores ticks while quiet anyway, so nothing
 * depends on it) and must run the node again when it is signalled.
 */
public final class PeerLiveness {

    private final AtomicLongArray unreachable;
    private final AtomicBoolean overflow = new AtomicBoolean();
    /**
     * Set after a report lands (in a slot or as the overflow), cleared by {@link #drain} before it looks: a
     * core cycle with nothing reported reads this one flag, not every slot (it runs at every turn of a host
     * group).
     */
    private volatile boolean reported;
    /** Something on this node needs the group ({@code RaftEngine.demand()}), for the core to take. */
    private final AtomicBoolean demanded = new AtomicBoolean();
    private volatile boolean quiesced;
    /** Whether the node is still dormant ({@code RaftConfig.startDormant}): set at start, cleared by the core. */
    private volatile boolean dormant;

    /**
     * @param slots how many distinct unreachable peers the mailbox holds between two core cycles: the
     *              most members the node replicates to ({@code RaftConfig.maxMembers()}), positive
     */
    public PeerLiveness(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be positive, got " + slots);
        }
        this.unreachable = new AtomicLongArray(slots);
    }

    /**
     * Records that {@code nodeId}'s process is unreachable, for the core to take. Any thread;
     * lock-free, allocation-free. The caller wakes the core afterwards.
     *
     * @return false if the mailbox was full and the overflow flag was set instead
     * @throws IllegalArgumentException if {@code nodeId} is not positive
     */
    public boolean reportUnreachable(long nodeId) {
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node ids are positive, got " + nodeId);
        }
        int slots = unreachable.length();
        for (int i = 0; i < slots; i++) {
            if (unreachable.get(i) == nodeId) {
                return true; // already reported and not yet taken
            }
        }
        for (int i = 0; i < slots; i++) {
            if (unreachable.get(i) == 0 && unreachable.compareAndSet(i, 0, nodeId)) {
                reported = true; // after the slot: a drain that clears the flag first then sees the slot
                return true;
            }
        }
        overflow.set(true);
        reported = true;
        return false;
    }

    /**
     * Records that something on this node needs the group (a caller waiting for a leader), for the core
     * to pass to its engine ({@code RaftEngine.demand()}). Any thread; the caller wakes the core afterwards.
     */
    public void requestDemand() {
        demanded.set(true);
    }

    /** Core thread: whether demand was recorded since the last call (and forgets it). */
    boolean takeDemand() {
        return demanded.get() && demanded.getAndSet(false);
    }

    /**
     * Core thread: hands every reported node id to {@code each} (a duplicate now and then is harmless:
     * the engine's input is idempotent), and runs {@code onOverflow} once if reports were lost.
     *
     * @return how many reports were taken (an overflow counts as one)
     */
    int drain(LongConsumer each, Runnable onOverflow) {
        if (!reported) {
            return 0; // nothing landed since the last drain (a report racing with this call sets it after)
        }
        reported = false;
        int taken = 0;
        int slots = unreachable.length();
        for (int i = 0; i < slots; i++) {
            if (unreachable.get(i) != 0) {
                long id = unreachable.getAndSet(i, 0);
                if (id != 0) {
                    each.accept(id);
                    taken++;
                }
            }
        }
        if (overflow.get() && overflow.getAndSet(false)) {
            onOverflow.run();
            taken++;
        }
        return taken;
    }

    /** Whether the node is quiet, as its core last published. Any thread; one volatile read. */
    public boolean quiesced() {
        return quiesced;
    }

    /** Whether the node is still dormant, as last published: demand then matters. Any thread; one volatile read. */
    public boolean dormant() {
        return dormant;
    }

    /** Publishes whether the node is dormant: its builder at start, then the core. */
    public void publishDormant(boolean value) {
        dormant = value;
    }

    /** Core thread: publishes whether the node is quiet now. */
    void publishQuiesced(boolean value) {
        quiesced = value;
    }
}
