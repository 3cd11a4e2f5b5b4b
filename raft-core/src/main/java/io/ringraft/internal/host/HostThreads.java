package io.ringraft.internal.host;

import io.ringraft.internal.runtime.HostedPlacement;
import io.ringraft.internal.runtime.ParkingIdleStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a host: {@code W} workers for the groups' CPU tasks and {@code K} IO threads for their
 * log writers and snapshot tasks, however many groups there are; and the placement of each new group
 * on the least loaded worker and IO thread.
 *
 * <p>Used by {@code io.ringraft.api.RaftHost}: built and started when the host is built,
 * {@link #place} on the thread that creates a group, {@link #close()} once when the host closes (after
 * its groups). Thread-safe.
 */
public final class HostThreads implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostThreads.class);

    private final HostWorker[] workers;
    private final IoWorker[] ios;
    private final List<AgentRunner> runners = new ArrayList<>();

    /**
     * Starts the threads (daemon threads named {@code ringraft-host-<node>-worker-<i>} and
     * {@code ringraft-host-<node>-io-<i>}).
     *
     * @param nodeId    the host's node id, for thread names
     * @param workers   the number of worker threads, at least 1
     * @param ioThreads the number of IO threads, at least 1
     * @param maxGroups the most groups the host holds (bounds each ready queue)
     * @param nanoClock the clock the workers tick by
     * @param tickNanos the tick of the groups' engines
     */
    public HostThreads(long nodeId, int workers, int ioThreads, int maxGroups, LongSupplier nanoClock, long tickNanos) {
        if (workers < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("a host needs at least one worker and one IO thread, got "
                    + workers + " and " + ioThreads);
        }
        this.workers = new HostWorker[workers];
        this.ios = new IoWorker[ioThreads];
        for (int i = 0; i < workers; i++) {
            HostWorker worker = new HostWorker("ringraft-host-" + nodeId + "-worker-" + i, maxGroups, nanoClock, tickNanos);
            this.workers[i] = worker;
            start(worker, new ParkingIdleStrategy(worker.signal(), worker::parkNanos), worker.signal());
        }
        for (int i = 0; i < ioThreads; i++) {
            IoWorker io = new IoWorker("ringraft-host-" + nodeId + "-io-" + i, maxGroups);
            this.ios[i] = io;
            start(io, new ParkingIdleStrategy(io.signal(), () -> HostWorker.IDLE_PARK_NANOS), io.signal());
        }
    }

    private void start(Agent agent, ParkingIdleStrategy idle, io.ringraft.internal.runtime.Signal signal) {
        AgentRunner runner = new AgentRunner(idle,
                error -> LOG.error("host thread {} hit an error outside any group's task", agent.roleName(), error),
                null, agent);
        Thread thread = AgentRunner.startOnThread(runner, r -> {
            Thread t = new Thread(r, agent.roleName());
            t.setDaemon(true);
            signal.bind(t);
            return t;
        });
        signal.bind(thread);
        runners.add(runner);
    }

    /**
     * A place for a new group: the worker and the IO thread with the fewest groups.
     *
     * @param groupId   the group
     * @param onStopped run once the group's tasks stopped for good (its node closed)
     * @return the placement to build the group's node with
     */
    public synchronized HostedPlacement place(long groupId, Runnable onStopped) {
        HostWorker worker = workers[0];
        for (HostWorker candidate : workers) {
            if (candidate.groupCount() < worker.groupCount()) {
                worker = candidate;
            }
        }
        IoWorker io = ios[0];
        for (IoWorker candidate : ios) {
            if (candidate.groupCount() < io.groupCount()) {
                io = candidate;
            }
        }
        GroupSlot slot = new GroupSlot(groupId, worker, io, onStopped);
        // Count the group on its threads now, so that groups created together spread before they start.
        worker.reserve();
        io.reserve();
        return slot;
    }

    /** Frees the place of a group whose node could not be built or started. */
    public static void abandon(HostedPlacement placement) {
        ((GroupSlot) placement).abandon();
    }

    /** Tells the host's timer whether a group needs ticks now ({@code wantsTicks} false: quiesced). */
    public static void ticksWanted(HostedPlacement placement, java.util.function.BooleanSupplier wantsTicks) {
        ((GroupSlot) placement).wantsTicks(wantsTicks);
    }

    /**
     * Runs a host duty (liveness checks, leader balancing) on the first worker about every {@code periodNanos}.
     * It must be quick and must not block: it delays that worker's groups while it runs.
     */
    public void addPeriodic(Runnable task, long periodNanos) {
        workers[0].addPeriodic(task, periodNanos);
    }

    /** Runs {@code hook} on every worker after each round that ran a group; quick, non-blocking, thread-safe. */
    public void afterEveryRound(Runnable hook) {
        for (HostWorker worker : workers) {
            worker.afterRound(hook);
        }
    }

    /** {@return the group turns the workers ran (each up to {@value GroupSlot#PASSES_PER_TURN} duty cycles)} */
    public long turns() {
        long sum = 0;
        for (HostWorker worker : workers) {
            sum += worker.turns();
        }
        return sum;
    }

    /** {@return the group turns in which none of the group's tasks found work} */
    public long idleTurns() {
        long sum = 0;
        for (HostWorker worker : workers) {
            sum += worker.idleTurns();
        }
        return sum;
    }

    /** {@return the task duty cycles (core, applier, senders) the group turns ran} */
    public long taskRuns() {
        long sum = 0;
        for (HostWorker worker : workers) {
            sum += worker.taskRuns();
        }
        return sum;
    }

    /** {@return the IO threads' cycles that ran at least one group (one flush of a shared log each)} */
    public long ioCycles() {
        long sum = 0;
        for (IoWorker io : ios) {
            sum += io.cycles();
        }
        return sum;
    }

    /** {@return the groups' log writer cycles the IO threads ran, over all their cycles} */
    public long ioGroupWrites() {
        long sum = 0;
        for (IoWorker io : ios) {
            sum += io.groupWrites();
        }
        return sum;
    }

    /** {@return the number of threads: workers plus IO threads} */
    public int threadCount() {
        return workers.length + ios.length;
    }

    /** {@return the number of worker threads} */
    public int workerCount() {
        return workers.length;
    }

    /** {@return the number of IO threads} */
    public int ioThreadCount() {
        return ios.length;
    }

    /** Stops every thread and waits for it to end. Groups must have been closed first. */
    @Override
    public void close() {
        for (AgentRunner runner : runners) {
            runner.close();
        }
    }
}
