package io.ringraft.internal.runtime;

import io.ringraft.internal.runtime.tasks.ApplierTask;
import io.ringraft.internal.runtime.tasks.CoreTask;
import io.ringraft.internal.runtime.tasks.PeerSender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node's tasks run ({@link NodeRuntime.Threading}): a thread per task ({@code DEDICATED}),
 * one thread for all of them ({@code SHARED}), one for the core and the peer senders and one for each
 * other task ({@code COMPACT}), a host's shared threads ({@code HOSTED}, through its
 * {@link HostedPlacement}), or none ({@code MANUAL}: the caller runs the agents).
 * Starts the runners with a {@link ParkingIdleStrategy} bound to each task's {@link Signal}, adds the
 * sender of a member that joins later, and stops and joins every runner at close.
 *
 * <p>Threads: {@link #start} and {@link #stop} by the thread that starts or closes the node;
 * {@link #add} by the core task (a new member) or the constructor. A task that throws is reported to
 * {@code onFailure} (the node then fail-stops) on the task's own thread.
 */
final class TaskPlacement {

    private static final Logger LOG = LoggerFactory.getLogger(TaskPlacement.class);
    /**
     * The longest an idle task parks without a wake: a safety net, not a polling period. Every event a
     * task waits for wakes it through its {@link Signal}; a task that also watches the clock asks for
     * less ({@link CoreTask#parkNanos}, {@link ApplierTask#parkNanos}).
     */
    static final long MAX_PARK_NANOS = 1_000_000_000L;
    /** The longest a task parks once its node stops: closing joins every runner's thread. */
    static final long STOPPING_PARK_NANOS = 1_000_000L;

    private final NodeRuntime.Threading threading;
    private final Consumer<Throwable> onFailure;
    /** The host's place for the node's tasks, with {@code HOSTED}; null otherwise. */
    private final HostedPlacement hosted;
    private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private DynamicCompositeAgent sharedAgent;
    /** How long a task added after start parks ({@link #add}). */
    private volatile LongSupplier addedPark = () -> MAX_PARK_NANOS;

    TaskPlacement(NodeRuntime.Threading threading, Consumer<Throwable> onFailure, HostedPlacement hosted) {
        if ((threading == NodeRuntime.Threading.HOSTED) != (hosted != null)) {
            throw new IllegalArgumentException("a hosted placement goes with HOSTED threading, and only with it");
        }
        this.threading = threading;
        this.onFailure = onFailure;
        this.hosted = hosted;
    }

    /** {@return whether a host runs the tasks} */
    boolean hosted() {
        return hosted != null;
    }

    /** Starts a hosted node's tasks on its host's threads. */
    void startHosted(List<Agent> cpuTasks, WriteFlushCycle writer, Agent snapshots, LongSupplier idleNanos) {
        hosted.start(cpuTasks, writer, snapshots, onFailure, idleNanos);
        started = true;
    }

    /**
     * Starts the node's tasks, each parking until its signal wakes it or the time its park supplier
     * gives passes (the core: until its next tick that may act; one thread for all of them with
     * {@code SHARED}: the shortest of them); {@code untilWoken} is the park of a task added later.
     */
    void start(Agent core, Signal coreSignal, LongSupplier corePark, List<Agent> others, List<Signal> otherSignals,
               List<LongSupplier> otherParks, LongSupplier untilWoken) {
        addedPark = untilWoken;
        if (threading == NodeRuntime.Threading.MANUAL) {
            return;
        }
        if (threading == NodeRuntime.Threading.SHARED || threading == NodeRuntime.Threading.COMPACT) {
            boolean all = threading == NodeRuntime.Threading.SHARED;
            List<Agent> mates = new ArrayList<>(List.of(core));
            List<LongSupplier> mateParks = new ArrayList<>(List.of(corePark));
            for (int i = 0; i < others.size(); i++) {
                if (all || others.get(i) instanceof PeerSender) {
                    mates.add(others.get(i));
                    mateParks.add(otherParks.get(i));
                } else {
                    runners.add(startRunner(others.get(i), otherSignals.get(i), otherParks.get(i)));
                }
            }
            sharedAgent = new DynamicCompositeAgent(core.roleName() + (all ? "-shared" : "-and-senders"),
                    mates.toArray(Agent[]::new));
            LongSupplier[] parks = mateParks.toArray(LongSupplier[]::new);
            runners.add(startRunner(sharedAgent, coreSignal, () -> shortest(parks)));
        } else {
            runners.add(startRunner(core, coreSignal, corePark));
            for (int i = 0; i < others.size(); i++) {
                runners.add(startRunner(others.get(i), otherSignals.get(i), otherParks.get(i)));
            }
        }
        started = true;
    }

    /** Runs a task added after start (a new member's sender); before start it starts with the others. */
    void add(Agent agent, Signal signal) {
        if (!started || threading == NodeRuntime.Threading.MANUAL) {
            return; // started with the others, or stepped by the caller
        }
        if (hosted != null) {
            hosted.addCpuTask(agent);
            return;
        }
        if (threading == NodeRuntime.Threading.SHARED || threading == NodeRuntime.Threading.COMPACT) {
            sharedAgent.tryAdd(agent); // only senders are added later: in COMPACT too they join the core's thread
        } else {
            LongSupplier park = addedPark;
            runners.add(startRunner(agent, signal, agent instanceof PeerSender sender
                    ? () -> sender.parkNanos(park.getAsLong()) : park));
        }
    }

    /** Stops every runner and waits for its thread to end. */
    void stop() {
        if (hosted != null) {
            if (started) {
                hosted.stop();
            }
            return;
        }
        for (AgentRunner runner : runners) {
            runner.close();
        }
    }

    private static long shortest(LongSupplier[] parks) {
        long shortest = MAX_PARK_NANOS;
        for (LongSupplier park : parks) {
            shortest = Math.min(shortest, park.getAsLong());
        }
        return shortest;
    }

    private AgentRunner startRunner(Agent agent, Signal signal, LongSupplier parkNanos) {
        AgentRunner runner = new AgentRunner(new ParkingIdleStrategy(signal, parkNanos),
                error -> {
                    LOG.error("task {} failed; stopping the node", agent.roleName(), error);
                    onFailure.accept(error);
                }, null, agent);
        Thread thread = AgentRunner.startOnThread(runner, r -> {
            Thread t = new Thread(r, agent.roleName());
            t.setDaemon(true);
            signal.bind(t);
            return t;
        });
        signal.bind(thread);
        return runner;
    }
}
