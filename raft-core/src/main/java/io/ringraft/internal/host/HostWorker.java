package io.ringraft.internal.host;

import io.ringraft.internal.runtime.Signal;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.jctools.queues.atomic.MpscChunkedAtomicArrayQueue;

/**
 * A host worker: runs the CPU tasks (core, applier, senders) of the groups placed on it, one thread
 * for all of them.
 *
 * <p><b>Duty cycle.</b> Once per tick it schedules every group that wants ticks (a quiesced group does
 * not), then runs the groups on its ready queue: each gets one turn, at most {@value GroupSlot#PASSES_PER_TURN}
 * duty cycles of each of its woken tasks (each task's cycle is bounded: so many messages, proposals, entries),
 * and goes to the back of the queue if it is still busy, so a busy group gets one turn per round like every
 * other ready group and cannot starve them. A group is queued when one of its pointers or mailboxes wakes
 * its signal from another thread ({@link GroupSlot}).
 *
 * <p><b>Time.</b> One timer per worker: at each tick it runs the groups that want ticks and whose next
 * tick that may act is due before the next ({@link GroupSlot#tickDue}: a follower waiting out its election
 * timeout is not run at every tick). It parks until the next tick while any of its groups wants
 * ticks, otherwise until woken or a host duty ({@link #addPeriodic}) is due (at most {@link #IDLE_PARK_NANOS}).
 *
 * <p><b>Bounds.</b> The ready queue holds each group at most once: at most as many entries as groups
 * on the worker, which the host bounds ({@code maxGroups}).
 *
 * <p>Threads: {@link #doWork()} and {@link #parkNanos()} on the worker's own thread; {@link #enqueue}
 * from any thread; {@link #reserve}/{@link #remove} from the threads that create and close groups.
 */
final class HostWorker implements Agent {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HostWorker.class);

    /** The longest the worker parks with no group wanting ticks: a safety net, not a polling period. */
    static final long IDLE_PARK_NANOS = 100_000_000L;

    private final String name;
    private final LongSupplier nanoClock;
    private final long tickNanos;
    private final MpscChunkedAtomicArrayQueue<GroupSlot> ready;
    /**
     * The groups that want ticks, as the worker last saw them (worker thread only): a group joins when it
     * runs wanting ticks (it starts queued, and a quiet group that wakes is run), and leaves at a tick that
     * finds it quiet or stopped. So a tick costs nothing for quiet groups, however many there are.
     */
    private GroupSlot[] tickSet = new GroupSlot[16];
    private int tickCount;
    private final Signal signal = new Signal();
    private final java.util.concurrent.atomic.AtomicInteger placed = new java.util.concurrent.atomic.AtomicInteger();
    private long nextTickNanos;
    /** Host-wide duties this worker runs every so often (liveness, balancing): set before groups come. */
    private final CopyOnWriteArrayList<Periodic> periodics = new CopyOnWriteArrayList<>();

    /** A host duty and when it is next due. */
    private static final class Periodic {
        final Runnable task;
        final long periodNanos;
        long dueNanos;

        Periodic(Runnable task, long periodNanos, long dueNanos) {
            this.task = task;
            this.periodNanos = periodNanos;
            this.dueNanos = dueNanos;
        }
    }
    private volatile Runnable afterRound;
    /** Group turns run, and those in which no task found work (worker thread writes, any thread reads). */
    private final java.util.concurrent.atomic.AtomicLong turns = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong idleTurns = new java.util.concurrent.atomic.AtomicLong();
    /** Task duty cycles run in those turns (worker thread writes, any thread reads). */
    private final java.util.concurrent.atomic.AtomicLong taskRuns = new java.util.concurrent.atomic.AtomicLong();

    HostWorker(String name, int maxGroups, LongSupplier nanoClock, long tickNanos) {
        this.name = name;
        this.nanoClock = nanoClock;
        this.tickNanos = tickNanos;
        this.ready = readyQueue(maxGroups);
        this.nextTickNanos = nanoClock.getAsLong();
    }

    /**
     * A ready queue for up to {@code maxGroups} groups (one entry per group at most): grows in chunks of at
     * most 1,024 entries as groups come, never beyond the bound.
     */
    static MpscChunkedAtomicArrayQueue<GroupSlot> readyQueue(int maxGroups) {
        int max = Integer.highestOneBit(Math.max(4, maxGroups) - 1) << 1;
        return new MpscChunkedAtomicArrayQueue<>(Math.min(1024, max / 2), max);
    }

    @Override
    public String roleName() {
        return name;
    }

    /** The signal the worker's thread parks on. */
    Signal signal() {
        return signal;
    }

    /**
     * Runs {@code task} on this worker's thread about every {@code periodNanos}, whether or not any group
     * ticks (the worker then parks at most until it is due). The task must be quick and must not block.
     */
    void addPeriodic(Runnable task, long periodNanos) {
        periodics.add(new Periodic(task, periodNanos, nanoClock.getAsLong() + periodNanos));
        signal.wake();
    }

    /**
     * Runs {@code hook} on this worker's thread after every round that ran a group (the host flushes the
     * heartbeats its groups parked, so that they leave in one batch per peer). Set before groups come.
     */
    void afterRound(Runnable hook) {
        this.afterRound = hook;
    }

    /** Counts a group placed here before it starts (so that placement spreads groups created together). */
    void reserve() {
        placed.incrementAndGet();
    }

    /** Forgets a group placed here (once per group: started or not). */
    void remove(GroupSlot slot) {
        placed.decrementAndGet(); // a stopped group leaves the tick set at the next tick
    }

    /** The number of groups placed on this worker. Any thread. */
    int groupCount() {
        return placed.get();
    }

    /** Any thread: puts a group on the ready queue (its slot checked it is not queued yet) and wakes the worker. */
    void enqueue(GroupSlot slot) {
        if (!ready.offer(slot)) {
            // Cannot happen while the host keeps maxGroups: each group is queued at most once.
            throw new IllegalStateException("ready queue of " + name + " full: more groups than maxGroups");
        }
        signal.wake();
    }

    @Override
    public int doWork() {
        int work = 0;
        long now = nanoClock.getAsLong();
        if (now - nextTickNanos >= 0) {
            int kept = 0;
            for (int i = 0; i < tickCount; i++) {
                GroupSlot slot = tickSet[i];
                tickSet[i] = null;
                if (!slot.stopping() && slot.needsTick()) {
                    tickSet[kept++] = slot;
                    if (slot.tickDue(tickNanos)) {
                        slot.wakeCpu(); // otherwise its next tick that may act is later: it counts this one then
                    }
                } else {
                    slot.inTickSet = false;
                }
            }
            tickCount = kept;
            nextTickNanos = now + tickNanos;
        }
        for (Periodic periodic : periodics) {
            if (now - periodic.dueNanos >= 0) {
                periodic.dueNanos = now + periodic.periodNanos;
                try {
                    periodic.task.run();
                } catch (RuntimeException e) {
                    LOG.warn("host duty on {} failed", name, e);
                }
                work++;
            }
        }
        // One round: the groups queued when it started, each once; those that did work queue again behind.
        int round = ready.size();
        for (int i = 0; i < round; i++) {
            GroupSlot slot = ready.poll();
            if (slot == null) {
                break;
            }
            slot.cpuQueued.set(false);
            int done = slot.runCpu();
            if (!slot.inTickSet && !slot.stopping() && slot.needsTick()) {
                joinTicks(slot); // a new group, or one that woke from quiescence: it wants its ticks now
            }
            work += done; // a group that is still busy queued itself again, behind the others (runCpu)
            turns.lazySet(turns.get() + 1); // the worker is the only writer
            taskRuns.lazySet(taskRuns.get() + slot.lastTaskRuns());
            if (done == 0) {
                idleTurns.lazySet(idleTurns.get() + 1);
            }
        }
        Runnable hook = afterRound;
        if (round > 0 && hook != null) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("after-round hook of {} failed", name, e);
            }
        }
        return work;
    }

    private void joinTicks(GroupSlot slot) {
        if (tickCount == 0) {
            nextTickNanos = nanoClock.getAsLong() + tickNanos; // the worker ticks again from now
        }
        if (tickCount == tickSet.length) {
            tickSet = java.util.Arrays.copyOf(tickSet, tickSet.length * 2); // at most the groups on this worker
        }
        tickSet[tickCount++] = slot;
        slot.inTickSet = true;
    }

    /** {@return the group turns this worker ran} Any thread. */
    long turns() {
        return turns.get();
    }

    /** {@return the group turns in which none of the group's tasks found work} Any thread. */
    long idleTurns() {
        return idleTurns.get();
    }

    /** {@return the task duty cycles (core, applier, senders) the group turns ran} Any thread. */
    long taskRuns() {
        return taskRuns.get();
    }

    /** How long the worker may park now: until the next tick, or the idle bound if no group ticks. */
    long parkNanos() {
        long now = nanoClock.getAsLong();
        long park = tickCount > 0 ? nextTickNanos - now : IDLE_PARK_NANOS;
        for (Periodic periodic : periodics) {
            park = Math.min(park, periodic.dueNanos - now);
        }
        return Math.max(1_000L, Math.min(IDLE_PARK_NANOS, park));
    }

}
