package io.ringraft.internal.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node's tasks run ({@link NodeRuntime.Threading}): a thread per task ({@code DEDICATED}),
 * one thread for all of them ({@code SHARED}), a host's shared threads ({@code HOSTED}, through its
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
    /** The longest an idle task parks without a wake: a safety net, not a polling period. */
    private static final long IDLE_PARK_NANOS = 50_000_000L;

    private final NodeRuntime.Threading threading;
    private final Consumer<Throwable> onFailure;
    /** The host's place for the node's tasks, with {@code HOSTED}; null otherwise. */
    private final HostedPlacement hosted;
    private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private DynamicCompositeAgent sharedAgent;

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
    void startHosted(List<Agent> cpuTasks, WriteFlushCycle writer, Agent snapshots) {
        hosted.start(cpuTasks, writer, snapshots, onFailure);
        started = true;
    }

    /**
     * Starts the node's tasks: {@code core} parks at most a tick so that time advances, the others
     * (given with their signals) until woken.
     */
    void start(Agent core, Signal coreSignal, long tickNanos, List<Agent> others, List<Signal> otherSignals) {
        if (threading == NodeRuntime.Threading.MANUAL) {
            return;
        }
        if (threading == NodeRuntime.Threading.SHARED) {
            Agent[] all = new Agent[others.size() + 1];
            all[0] = core;
            for (int i = 0; i < others.size(); i++) {
                all[i + 1] = others.get(i);
            }
            sharedAgent = new DynamicCompositeAgent(core.roleName() + "-shared", all);
            runners.add(startRunner(sharedAgent, coreSignal, tickNanos));
        } else {
            runners.add(startRunner(core, coreSignal, tickNanos));
            for (int i = 0; i < others.size(); i++) {
                runners.add(startRunner(others.get(i), otherSignals.get(i), IDLE_PARK_NANOS));
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
        if (threading == NodeRuntime.Threading.SHARED) {
            sharedAgent.tryAdd(agent);
        } else {
            runners.add(startRunner(agent, signal, IDLE_PARK_NANOS));
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

    private AgentRunner startRunner(Agent agent, Signal signal, long maxParkNanos) {
        AgentRunner runner = new AgentRunner(new ParkingIdleStrategy(signal, maxParkNanos),
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
