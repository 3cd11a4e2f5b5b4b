package io.ringraft.testkit.sim;

import io.ringraft.api.Admission;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedException;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.spi.StateMachine;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;

/**
 * One simulated node: its disk (which survives crashes), and the running incarnation of the real
 * runtime over it (absent while crashed), applying through a new instance of the user's state machine
 * per incarnation (wrapped in an {@link ObservedStateMachine}, and for streaming incarnations in a
 * {@link StreamingAdapter}). The runtime runs with {@link NodeRuntime.Threading#MANUAL}:
 * the simulation steps its tasks. Single-threaded.
 */
final class SimNode {

    final long id;
    /** The group this node belongs to ({@link SimNetwork#SINGLE_GROUP} unless a host simulation runs many). */
    final long groupId;
    final SimDisk disk = new SimDisk();
    private final long[] voters;
    private final RaftConfig config;
    private final SimNetwork network;
    private final LongSupplier clock;
    private final ApplyObserver observer;
    /** The user's state machine for a new incarnation of node {@code id}. */
    private final LongFunction<? extends StateMachine> machines;
    private final long seed;
    private final CompletionChecker completions;

    private NodeRuntime runtime;
    /**
     * Draws, per incarnation, whether the node applies through {@link StreamingAdapter} (and that
     * machine's randomness); null: every incarnation applies synchronously.
     */
    SplittableRandom streamRandom;
    /** The running incarnation's streaming state machine, or null if it applies synchronously. */
    private StreamingAdapter streaming;
    /** Incarnations started with the streaming state machine. */
    int streamingIncarnations;
    /** The listener of the running incarnation's {@code tryPropose} proposals. */
    private CompletionChecker.Listener listener;
    /** Proposals made so far: every other one goes through {@code tryPropose} and the listener. */
    private long proposals;
    /** Scripted: false makes every proposal go through the futures table ({@code propose}). */
    boolean listenerProposals = true;
    int incarnation;
    /** Virtual time until which the node is paused (its tasks do not run; its clock goes on). */
    long pausedUntil;
    /** Virtual time at which a crashed node restarts, or -1. */
    long restartAt = -1;
    /** The probability that the log writer skips a step (a slow disk). */
    double slowDisk;
    /** This node's clock: {@code localBase + (virtual now - realBase) * clockRate} (drift). */
    private double clockRate = 1.0;
    private long realBase;
    private long localBase;

    /** Makes this node's clock run at {@code rate} times virtual time from now on (clock drift). */
    void setClockRate(double rate) {
        long real = clock.getAsLong();
        localBase = localClock();
        realBase = real;
        clockRate = rate;
    }

    private long localClock() {
        long real = clock.getAsLong();
        if (realBase == 0) {
            return real;
        }
        return localBase + (long) ((real - realBase) * clockRate);
    }
    /** Committed snapshots survive crashes (as if fsynced); a snapshot being written is lost with the node. */
    final io.ringraft.local.InMemorySnapshotStore snapshots = new io.ringraft.local.InMemorySnapshotStore(2);
    /**
     * The first violation found while this node applied, snapshotted or restored, or the first exception its
     * state machine threw (which the node turns into a fail-stop); null if none. The simulation throws it.
     */
    AssertionError stateMachineFailure;
    /** Scripted: the log writer does not run at all while set (flushes complete late). */
    boolean writerHeld;

    SimNode(long id, long[] voters, RaftConfig config, SimNetwork network, LongSupplier clock,
            LongFunction<? extends StateMachine> machines, ApplyObserver observer, long seed,
            CompletionChecker completions) {
        this(SimNetwork.SINGLE_GROUP, id, voters, config, network, clock, machines, observer, seed, completions);
    }

    /** Node {@code id} of group {@code groupId} (a host simulation's groups share the network). */
    SimNode(long groupId, long id, long[] voters, RaftConfig config, SimNetwork network, LongSupplier clock,
            LongFunction<? extends StateMachine> machines, ApplyObserver observer, long seed,
            CompletionChecker completions) {
        this.machines = machines;
        this.groupId = groupId;
        this.id = id;
        this.completions = completions;
        this.voters = voters;
        this.config = config;
        this.network = network;
        this.clock = clock;
        this.observer = observer;
        this.seed = seed;
    }

    void start() {
        incarnation++;
        listener = completions.new Listener(id);
        StateMachine user = machines.apply(id);
        if (user == null) {
            throw new IllegalStateException("the state machine factory returned null for node " + id);
        }
        ObservedStateMachine kv = new ObservedStateMachine(id, user, observer, failure -> {
            if (stateMachineFailure == null) {
                stateMachineFailure = failure;
            }
        });
        streaming = streamRandom != null && streamRandom.nextInt(4) != 0
                ? new StreamingAdapter(id, kv, streamRandom.split(), config.maxApplyBatchesInFlight()) : null;
        if (streaming != null) {
            streamingIncarnations++;
        }
        runtime = new NodeRuntime(groupId, id, voters, config, streaming != null ? NodeRuntime.streaming(streaming) : kv,
                new SimLogStorage(disk), snapshots.reopen(), network, listener, null, NodeRuntime.Threading.MANUAL,
                this::localClock,
                new SplittableRandom(seed * 31 + id * 1_000_003L + incarnation + (groupId - 1) * 7_777_777_777L));
        runtime.start();
    }

    /** Power loss: the runtime vanishes, the disk keeps what {@code mode} lets it keep. */
    void crash(SplittableRandom random, SimDisk.CrashMode mode, long restartAtTime) {
        completions.nodeCrashed(this);
        network.disconnect(groupId, id);
        runtime = null;
        streaming = null;
        disk.crash(random, mode);
        restartAt = restartAtTime;
    }

    /**
     * A clean stop (the operator stops the process): the node is closed, which must complete everything
     * it accepted; then it is down like after a crash (unflushed writes may be lost) until it restarts.
     */
    void close(SplittableRandom random, SimDisk.CrashMode mode, long restartAtTime) {
        runtime.close();
        if (streaming != null) {
            streaming.drainAfterStop(); // late progress after the close: the node must ignore it
        }
        completions.nodeStopped(this);
        crash(random, mode, restartAtTime);
    }

    boolean isUp() {
        return runtime != null;
    }

    /** Up, and did not stop itself (fail-stop after a storage error). */
    boolean isServing() {
        return runtime != null && !runtime.isStopped();
    }

    /** The running incarnation's tasks (new replicators appear as members join). */
    List<Agent> agents() {
        if (runtime == null) {
            return List.of();
        }
        if (streaming == null) {
            return runtime.agents();
        }
        List<Agent> agents = new java.util.ArrayList<>(runtime.agents());
        agents.add(streaming); // the state machine's own work, stepped like the node's tasks
        return agents;
    }

    NodeRuntime runtime() {
        return runtime;
    }

    RaftEngine engine() {
        return runtime == null ? null : runtime.engine();
    }

    RaftStatus status() {
        return runtime == null ? null : runtime.status();
    }

    /** A linearizable read the way {@code RaftNode.read} does; the future completes on a later step. */
    CompletableFuture<Object> read(byte[] query, long opId) {
        CompletableFuture<Object> future = completions.track(this, "read " + opId);
        if (runtime == null || runtime.isStopped()) {
            future.completeExceptionally(new NodeStoppedException("node " + id + " is down"));
        } else if (!runtime.tryRead(query, future)) {
            future.completeExceptionally(new RejectedException("too many reads in flight"));
        }
        return future;
    }

    /** Proposes through the leader the way {@code RaftNode.forward} does (propose if this node leads). */
    CompletableFuture<Object> forward(byte[] command) {
        if (runtime != null && !runtime.isStopped() && runtime.engine().role() != io.ringraft.api.Role.LEADER) {
            CompletableFuture<Object> future = completions.track(this, "forward of op " + CommandEnvelope.opId(command));
            if (!runtime.tryForward(command, future)) {
                future.completeExceptionally(new RejectedException("too many forwarded commands"));
            }
            return future;
        }
        return propose(command);
    }

    /**
     * Proposes a command the way {@code RaftNode.propose} does, or every other time the way
     * {@code RaftNode.tryPropose} does (the listener completes the future); it completes on a later step.
     */
    CompletableFuture<Object> propose(byte[] command) {
        boolean throughListener = proposals++ % 2 == 1 && listenerProposals;
        CompletionChecker.Tracked future = completions.track(this, (throughListener ? "tryPropose" : "propose")
                + " of op " + CommandEnvelope.opId(command));
        if (runtime == null || runtime.isStopped()) {
            future.completeExceptionally(new NodeStoppedException("node " + id + " is down"));
            return future;
        }
        if (throughListener) {
            long correlationId = listener.register(future);
            Admission admission = runtime.tryPropose((byte) 1, correlationId, command, 0, command.length);
            if (!admission.accepted()) {
                listener.unregister(correlationId).completeExceptionally(refusal(admission));
            }
            return future;
        }
        long correlationId = runtime.registerFuture(future);
        if (correlationId == 0) {
            future.completeExceptionally(new RejectedException("too many pending futures"));
            return future;
        }
        Admission admission = runtime.tryPropose((byte) 2, correlationId, command, 0, command.length);
        if (!admission.accepted()) {
            CompletableFuture<Object> mine = runtime.takeFuture(correlationId);
            if (mine != null) {
                mine.completeExceptionally(refusal(admission));
            }
        }
        return future;
    }

    /** The failure of a proposal {@code tryPropose} refused, as {@code RaftNode.propose} reports it. */
    private RaftException refusal(Admission admission) {
        return switch (admission) {
            case NOT_LEADER -> new NotLeaderException(id, runtime.leaderHint());
            case STOPPED -> new NodeStoppedException("node " + id + " is stopped");
            default -> new RejectedException("proposal refused: " + admission);
        };
    }
}
