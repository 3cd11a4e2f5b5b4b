package io.ringraft.internal.runtime;

import java.util.List;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;

/**
 * A group's place on a host ({@code io.ringraft.api.RaftHost}): its tasks run on threads the host
 * shares between many groups instead of threads of their own ({@link NodeRuntime.Threading#HOSTED}).
 * The CPU tasks (core, applier, one sender per peer) run on one worker; the log writer and the snapshot
 * task, which block on the disk, run on one IO thread, so that a slow {@code fsync} never stalls
 * another group's core.
 *
 * <p>Implemented by the host ({@code io.ringraft.internal.host}); called by {@link NodeRuntime}:
 * the signals while the node is built, {@link #start} once when it
 * starts, {@link #addCpuTask} on the core's thread when a member joins, {@link #stop} once by the
 * thread that closes the node.
 */
public interface HostedPlacement {

    /**
     * {@return the signal of the group's core: a wake schedules the core on the group's worker}
     */
    Signal cpuSignal();

    /** {@return the signal of the group's applier: a wake schedules the applier on the group's worker} */
    Signal applierSignal();

    /** {@return the signal of the group's senders (one for all): a wake schedules them on the group's worker} */
    Signal senderSignal();

    /** {@return the signal of the group's IO tasks: a wake schedules them on their IO thread} */
    Signal ioSignal();

    /**
     * Starts running the group's tasks.
     *
     * @param cpuTasks  the core first, then the applier and the senders
     * @param writer    the log writer (its write and flush halves are run separately, so that one flush
     *                  of a shared log covers many groups' writes)
     * @param snapshots the snapshot task, or null
     * @param onFailure told when a task throws (the node then fail-stops); other groups go on
     * @param idleNanos how long the CPU tasks may go unrun unless woken (the shortest park of the core and
     *                  the applier: until the core's next tick that may act, {@code CoreTask.parkNanos}); the
     *                  host reads it on the group's worker between the group's turns, to skip the ticks that
     *                  would only count (the core counts them from the clock when it next runs); null: every
     *                  tick runs the group
     */
    void start(List<Agent> cpuTasks, WriteFlushCycle writer, Agent snapshots, Consumer<Throwable> onFailure,
               java.util.function.LongSupplier idleNanos);

    /** Adds a CPU task after start (the sender of a member that joined). Any thread. */
    void addCpuTask(Agent task);

    /**
     * Stops running the group's tasks: returns once none of them runs or will run again, after calling
     * each one's {@code onClose}.
     *
     * @throws IllegalStateException if called from one of the group's own tasks (it would wait for itself)
     */
    void stop();
}
