package io.ringraft.internal.host;

import io.ringraft.internal.runtime.HostedPlacement;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.WriteFlushCycle;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's place on a host: which worker runs its CPU tasks and which IO thread its log writer and
 * snapshot task, the signals that schedule it there, and the guard that lets {@link #stop()} wait
 * until none of its tasks runs.
 *
 * <p>Scheduling: a wake of one of its CPU signals puts the group on its worker's ready queue unless it is
 * there already ({@code cpuQueued}), so a group is queued at most once per thread and the queues are
 * bounded by the number of groups. The worker clears the flag before it runs the group, so a wake from
 * another thread during the run queues it again.
 *
 * <p><b>A turn.</b> {@link #runCpu()} runs up to {@value #PASSES_PER_TURN} passes over the group's tasks
 * in a row: the second at once if the first did work or one of the group's own tasks woke another (the
 * core publishing to its senders and applier, say), while the group's state is still in the cache; a wake
 * from the group's own tasks during its turn does not queue it (it is running). Only a group that still
 * did work, or was woken by its own tasks, in its last pass queues again, behind the others. Before, every
 * turn that did work was followed by a turn one round later that found nothing, with the group's state
 * evicted by the other groups in between.
 *
 * <p><b>Which tasks a pass runs.</b> The CPU tasks have three signals, as on threads of their own: the
 * core's ({@link #cpuSignal()}), the applier's ({@link #applierSignal()}) and the senders'
 * ({@link #senderSignal()}, one for all of them). A wake sets its task's bit in {@code woken} before it
 * queues the group, and a pass runs only the tasks whose bit it took, plus those that did work in the
 * previous pass (a task's duty cycle is bounded: it may have more, as a thread of its own runs its task
 * again while it finds work). The worker's tick sets every bit (each task's timed work, such as the
 * applier's read deadlines, runs at ticks as before). So a follower's turn for an append runs its core, not
 * its applier and its idle senders: before, every pass polled every mailbox of every task of the group.
 * A pass clears the bits it takes before it runs the tasks, so a wake during the pass is never lost.
 *
 * <p>Threads: the signals are woken from any thread; {@link #runCpu()} only by the worker,
 * {@link #writeIo()} and {@link #flushIo()} only by the IO thread (both may run at once: the tasks they
 * run share nothing but pointers and the ring, as with a thread per task); {@link #start} and
 * {@link #stop()} by the thread that starts or closes the node.
 */
final class GroupSlot implements HostedPlacement {

    private static final Logger LOG = LoggerFactory.getLogger(GroupSlot.class);
    private static final java.lang.invoke.VarHandle WOKEN;

    static {
        try {
            WOKEN = java.lang.invoke.MethodHandles.lookup().findVarHandle(GroupSlot.class, "woken", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final Agent[] NO_TASKS = new Agent[0];
    /** Set in {@link #state} once the slot is stopping; the low bits count the threads inside a run. */
    private static final int CLOSED = 1 << 30;
    /** The most duty cycles of its tasks a group runs per turn: each is bounded, so a turn is too. */
    static final int PASSES_PER_TURN = 2;
    /** The bit of the core in {@code woken} (the first CPU task). */
    static final long CORE = 1L;
    /** The bit of the applier in {@code woken} (the second CPU task). */
    static final long APPLIER = 1L << 1;
    /** The bit of every sender in {@code woken} (the CPU tasks after the applier). */
    static final long SENDERS = 1L << 2;
    /** Every CPU task (the worker's tick, the start). */
    static final long ALL = CORE | APPLIER | SENDERS;

    private final long groupId;
    private final HostWorker worker;
    private final IoWorker io;
    private final Runnable onStopped;
    private final Signal cpuSignal = new Signal(() -> wake(CORE));
    private final Signal applierSignal = new Signal(() -> wake(APPLIER));
    private final Signal senderSignal = new Signal(() -> wake(SENDERS));
    /** The tasks woken since a pass last took them (bits {@link #CORE}, {@link #APPLIER}, {@link #SENDERS}). */
    @SuppressWarnings("unused") // through WOKEN
    private volatile long woken;
    /** The bits of the tasks the group has (a single-member group has no sender): wakes of others are dropped. */
    private volatile long present = ALL;
    private final Signal ioSignal = new Signal(this::scheduleIo);
    final AtomicBoolean cpuQueued = new AtomicBoolean();
    final AtomicBoolean ioQueued = new AtomicBoolean();
    private final AtomicInteger state = new AtomicInteger();
    private final AtomicBoolean left = new AtomicBoolean();
    private volatile Agent[] cpuTasks = NO_TASKS;
    private WriteFlushCycle writer;
    private Agent snapshots;
    private Consumer<Throwable> onFailure;
    /** Whether the group wants ticks (false while it is quiesced); null: always. */
    private volatile BooleanSupplier wantsTicks;
    /** How long the group may go unrun unless woken (HostedPlacement#start); null: always due. */
    private volatile java.util.function.LongSupplier idleNanos;
    private volatile boolean started;
    private volatile Thread cpuRunner;
    /** Whether the worker's tick set holds this group (worker thread only). */
    boolean inTickSet;
    /** Task duty cycles run by {@link #runCpu()} (worker thread writes; the worker sums them). */
    private int lastTaskRuns;
    private volatile Thread ioRunner;

    GroupSlot(long groupId, HostWorker worker, IoWorker io, Runnable onStopped) {
        this.groupId = groupId;
        this.worker = worker;
        this.io = io;
        this.onStopped = onStopped;
    }

    /** The core's signal (on a host the core's alone: the applier and the senders have their own). */
    @Override
    public Signal cpuSignal() {
        return cpuSignal;
    }

    @Override
    public Signal applierSignal() {
        return applierSignal;
    }

    @Override
    public Signal senderSignal() {
        return senderSignal;
    }

    @Override
    public Signal ioSignal() {
        return ioSignal;
    }

    /** Tells the worker whether the group needs its periodic tick (a quiesced group does not). */
    void wantsTicks(BooleanSupplier wantsTicks) {
        this.wantsTicks = wantsTicks;
    }

    /** True unless the group said it needs no ticks now. Worker thread. */
    boolean needsTick() {
        BooleanSupplier supplier = wantsTicks;
        return supplier == null || supplier.getAsBoolean();
    }

    /**
     * Worker thread, between the group's turns: whether a tick now may act for the group (its next tick that
     * may act comes before the worker's next tick). A tick that would only count is skipped: the core counts
     * it from the clock when it next runs, as a standalone core counts the ticks it parked through.
     *
     * @param tickNanos the worker's tick
     * @return true if the worker's tick should run the group
     */
    boolean tickDue(long tickNanos) {
        java.util.function.LongSupplier idle = idleNanos;
        if (idle == null || stopping()) {
            return true;
        }
        try {
            return idle.getAsLong() <= tickNanos;
        } catch (RuntimeException e) {
            return true; // the group's turn reports its failure
        }
    }

    @Override
    public void start(List<Agent> cpuTasks, WriteFlushCycle writer, Agent snapshots, Consumer<Throwable> onFailure,
                      java.util.function.LongSupplier idleNanos) {
        this.idleNanos = idleNanos;
        this.writer = writer;
        this.snapshots = snapshots;
        this.onFailure = onFailure;
        this.cpuTasks = cpuTasks.toArray(NO_TASKS);
        present = bitsOf(this.cpuTasks.length);
        started = true; // counted on its threads since placement; its first run puts it in the tick set
        wake(ALL);
        scheduleIo();
    }

    @Override
    public synchronized void addCpuTask(Agent task) {
        Agent[] tasks = cpuTasks;
        Agent[] more = java.util.Arrays.copyOf(tasks, tasks.length + 1);
        more[tasks.length] = task;
        cpuTasks = more;
        present = bitsOf(more.length);
        wake(SENDERS); // only senders are added after start
    }

    /** Any thread: marks {@code tasks} woken and queues the group (unless it is queued or running). */
    private void wake(long tasks) {
        tasks &= present;
        if (tasks == 0) {
            return; // e.g. the senders' signal of a single-member group (the stop wakes every signal)
        }
        // Always the atomic or (a full fence): the producer's pointer store before it must be visible to the
        // pass that takes the bit. A plain "already set?" read could pass the store on x86 and lose the wake.
        WOKEN.getAndBitwiseOr(this, tasks);
        scheduleCpu();
    }

    private void scheduleCpu() {
        if (cpuRunner == Thread.currentThread()) {
            return; // a task of this group, during its turn: runCpu() sees the bit and decides whether to run again
        }
        if (started && cpuQueued.compareAndSet(false, true)) {
            worker.enqueue(this);
        }
    }

    private void scheduleIo() {
        if (started && ioQueued.compareAndSet(false, true)) {
            io.enqueue(this);
        }
    }

    /** Schedules every CPU task (the worker's tick does this for every group that wants ticks). */
    void wakeCpu() {
        wake(ALL);
    }

    /** Schedules the IO tasks again (after a cycle that did work). */
    void wakeIo() {
        scheduleIo();
    }

    /**
     * Worker thread: the group's turn, up to {@value #PASSES_PER_TURN} passes, each running the CPU tasks
     * woken since the previous pass and those that did work in it (see the class comment); queues the group
     * again if a task is still woken or busy after the last pass.
     *
     * @return the work done
     */
    int runCpu() {
        lastTaskRuns = 0;
        if (!enter()) {
            return 0;
        }
        cpuRunner = Thread.currentThread();
        long has = present;
        if ((woken & ~has) != 0) {
            WOKEN.getAndBitwiseAnd(this, has); // a wake before start of a task the group turned out not to have
        }
        int work = 0;
        long busy = 0; // the tasks that did work in the last pass
        try {
            for (int pass = 0; pass < PASSES_PER_TURN; pass++) {
                long last = busy;
                busy = 0;
                long decided = 0; // the bits this pass looked at (a sender's bit: at the first sender)
                long due = 0; // of those, the ones it runs
                Agent[] tasks = cpuTasks;
                for (int i = 0; i < tasks.length; i++) {
                    long bit = i == 0 ? CORE : i == 1 ? APPLIER : SENDERS;
                    if ((decided & bit) == 0) {
                        // Decided when the pass reaches the task, not when it starts: what the core published
                        // earlier in this pass (entries for the senders, a commit for the applier) runs now.
                        decided |= bit;
                        if (take(bit) || (last & bit) != 0) {
                            due |= bit;
                        }
                    }
                    if ((due & bit) != 0) {
                        lastTaskRuns++;
                        int done = runOne(tasks[i]);
                        if (done > 0) {
                            busy |= bit;
                            work += done;
                        }
                    }
                }
                if (stopping() || (busy == 0 && woken == 0)) {
                    break; // idle, or a stop waits for this turn: no further pass
                }
            }
        } finally {
            cpuRunner = null;
            exit();
        }
        if (busy != 0) {
            wake(busy); // still busy: behind the other ready groups
        } else if (woken != 0) {
            scheduleCpu(); // woken during the last pass (by its own tasks, or another thread that queued it already)
        }
        return work;
    }

    /** {@return the bits of the first {@code tasks} CPU tasks: core, applier, senders} */
    private static long bitsOf(int tasks) {
        return (tasks > 0 ? CORE : 0) | (tasks > 1 ? APPLIER : 0) | (tasks > 2 ? SENDERS : 0);
    }

    /** Clears {@code bit} in {@code woken}; true if it was set (its task was woken). */
    private boolean take(long bit) {
        return (woken & bit) != 0 && ((long) WOKEN.getAndBitwiseAnd(this, ~bit) & bit) != 0;
    }

    /** {@return the task duty cycles the last {@link #runCpu()} ran} Worker thread. */
    int lastTaskRuns() {
        return lastTaskRuns;
    }

    /**
     * IO thread: the write half of the log writer's duty cycle and the snapshot task's cycle. Returns -1
     * if the slot is stopping (then {@link #flushIo()} must not be called); otherwise the work done, and the
     * slot stays entered until {@link #flushIo()}.
     */
    int writeIo() {
        if (!enter()) {
            return -1;
        }
        ioRunner = Thread.currentThread();
        int work = 0;
        try {
            work += writer.write();
        } catch (Throwable e) {
            fail(writer, e);
        }
        if (snapshots != null) {
            work += runOne(snapshots);
        }
        return work;
    }

    /** IO thread, after {@link #writeIo()} returned 0 or more: the flush half; leaves the slot. */
    void flushIo() {
        try {
            writer.finishFlush();
        } catch (Throwable e) {
            fail(writer, e);
        } finally {
            ioRunner = null;
            exit();
        }
    }

    private int runOne(Agent task) {
        try {
            return task.doWork();
        } catch (Throwable e) {
            fail(task, e);
            return 0;
        }
    }

    private void fail(Agent task, Throwable e) {
        LOG.error("task {} failed; stopping group {}", task.roleName(), groupId, e);
        onFailure.accept(e);
        if (e instanceof Error error && !(e instanceof StackOverflowError)) {
            throw error; // OutOfMemoryError and the like: the host thread cannot go on either
        }
    }

    private boolean enter() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    private void exit() {
        state.decrementAndGet();
    }

    @Override
    public void stop() {
        Thread self = Thread.currentThread();
        if (cpuRunner == self || ioRunner == self) {
            throw new IllegalStateException("group " + groupId + " cannot be closed from one of its own tasks "
                    + "(a state machine, listener or future callback running on its host thread): it would wait "
                    + "for itself; close it from another thread");
        }
        int s;
        do {
            s = state.get();
        } while ((s & CLOSED) == 0 && !state.compareAndSet(s, s | CLOSED));
        while ((state.get() & ~CLOSED) != 0) {
            LockSupport.parkNanos(10_000L); // a duty cycle of the group's tasks is bounded: short
        }
        leaveThreads();
        if (started) {
            for (Agent task : cpuTasks) {
                closeTask(task);
            }
            closeTask(writer);
            if (snapshots != null) {
                closeTask(snapshots);
            }
        }
        onStopped.run();
    }

    /** {@return whether the slot is stopping or stopped (its tasks run no more)} */
    boolean stopping() {
        return (state.get() & CLOSED) != 0;
    }

    /** Gives up a slot whose node was never started (its creation failed): frees its place. */
    void abandon() {
        state.updateAndGet(s -> s | CLOSED);
        leaveThreads();
    }

    private void leaveThreads() {
        if (left.compareAndSet(false, true)) {
            worker.remove(this);
            io.remove(this);
        }
    }

    private void closeTask(Agent task) {
        try {
            task.onClose();
        } catch (RuntimeException e) {
            LOG.warn("closing task {} of group {} failed", task.roleName(), groupId, e);
        }
    }

    @Override
    public String toString() {
        return "group " + groupId + " on " + worker.roleName() + " and " + io.roleName();
    }
}
