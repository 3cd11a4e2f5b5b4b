package io.ringraft.testkit.sim;

import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.Workload;
import io.ringraft.testkit.linearizability.CheckResult;
import io.ringraft.testkit.linearizability.LinearizabilityChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.agrona.concurrent.Agent;

/**
 * A deterministic simulation of a RingRaft cluster: the real runtime (core, log writer, replicators,
 * applier of every node) stepped one task at a time in a seeded order on one thread, with virtual
 * time, a simulated network ({@link SimNetwork}) and simulated disks ({@link SimDisk}).
 *
 * <p>The cluster runs the user's state machine (a new instance per node incarnation) and its clients
 * make operations with the user's {@link Workload}; the history is judged by the user's model.
 *
 * <p>A run has two phases. <b>Chaos</b>: clients send operations while the nemesis partitions,
 * crashes (losing, keeping or tearing unflushed writes), pauses nodes and fails flushes. <b>Heal</b>:
 * every fault is removed and crashed nodes restart; within a bounded number of steps a leader must
 * exist, every node must apply the same log, and every client operation must resolve (liveness).
 * Safety invariants ({@link SafetyChecker}) are checked after every step; at the end every
 * acknowledged write must be in every node's applied log and the client history must be
 * linearizable.
 *
 * <p>Everything random derives from the seed, so a seed replays exactly; {@link #traceHash()} lets a
 * test prove it. Not thread-safe: one simulation per thread.
 */
public class ClusterSimulation<I, O> {

    private static final long STEP_NANOS = 250_000;

    private final long seed;
    private final SimOptions options;
    private final SplittableRandom scheduler;
    private final SplittableRandom nemesisRandom;
    private final TraceHash trace = new TraceHash();
    private final SafetyChecker checker = new SafetyChecker(trace);
    private final CompletionChecker completions = new CompletionChecker();
    private final SimNetwork network;
    private final List<SimNode> nodes = new ArrayList<>();
    private final ClientWorkload<I, O> workload;
    private final LinearizabilityChecker<?, I, O> linearizability;
    private final List<Runnable> scheduledHeals = new ArrayList<>();
    private long now = 1_000_000_000L;
    private long steps;
    // The faults this seed enables (swarm testing).
    private final double partitionRate;
    private final double crashRate;
    private final double pauseRate;
    private final double fsyncFailureRate;
    private final double transferRate;
    private final double membershipRate;
    /** Draws of the clean-stop fault, apart from the others' so that seeds without it run as before. */
    private final SplittableRandom stopRandom;
    private final double stopRate;
    /** Whether this seed runs most node incarnations with the streaming state machine. */
    private final boolean streaming;

    // Scripting hooks for scenario tests (SimScenariosTest); unused by run(), which they do not change.
    /** Sees every message a node sends, after the safety checker. */
    Consumer<RaftMessage> sendObserver;
    /** Runs after every task's duty cycle (a scenario may crash a node mid-step from here). */
    Runnable afterEachTask;
    /** Whether a node that stopped itself after a storage error is crashed and restarted automatically. */
    boolean restartFailStopped = true;

    /**
     * A simulation of seed {@code seed}.
     *
     * @param machines        the user's state machine for a new incarnation of a node (by node id)
     * @param userWorkload    what the clients ask
     * @param linearizability the checker of the clients' history
     */
    public ClusterSimulation(long seed, SimOptions options, LongFunction<? extends StateMachine> machines,
                             Workload<I, O> userWorkload, LinearizabilityChecker<?, I, O> linearizability) {
        this.seed = seed;
        this.linearizability = linearizability;
        this.options = options;
        SplittableRandom root = new SplittableRandom(seed);
        this.scheduler = root.split();
        SplittableRandom networkRandom = root.split();
        this.nemesisRandom = root.split();
        SplittableRandom workloadRandom = root.split();
        this.network = new SimNetwork(networkRandom, options.nodes() + options.spareNodes(), message -> {
            checker.onSend(message);
            if (sendObserver != null) {
                sendObserver.accept(message);
            }
        });
        this.workload = new ClientWorkload<>(workloadRandom, options.clients(), userWorkload, 2_000_000_000L);
        SplittableRandom swarm = root.split();
        this.partitionRate = options.partitions() && swarm.nextBoolean() ? 0.002 : 0;
        this.crashRate = options.crashes() && swarm.nextBoolean() ? 0.001 : 0;
        this.pauseRate = options.pauses() && swarm.nextBoolean() ? 0.001 : 0;
        this.fsyncFailureRate = options.fsyncFailures() && swarm.nextInt(4) == 0 ? 0.0005 : 0;
        this.transferRate = options.transfers() && swarm.nextBoolean() ? 0.001 : 0;
        this.membershipRate = options.spareNodes() > 0 && swarm.nextBoolean() ? 0.001 : 0;
        this.stopRandom = root.split();
        this.stopRate = options.crashes() && stopRandom.nextBoolean() ? 0.001 : 0;
        // Drawn apart from everything else, after it: seeds that do not stream run exactly as before.
        SplittableRandom streamRandom = options.streaming() ? root.split() : null;
        this.streaming = streamRandom != null && streamRandom.nextBoolean();
        if (options.lossyNetwork() && swarm.nextBoolean()) {
            network.dropProbability = 0.05;
            network.duplicateProbability = 0.05;
            network.meanExtraDelayNanos = 5_000_000;
        }
        long[] voters = new long[options.nodes()];
        for (int i = 0; i < voters.length; i++) {
            voters[i] = i + 1;
        }
        for (long id = 1; id <= options.nodes() + options.spareNodes(); id++) {
            // Spare nodes start with the cluster's voters, outside them: they join when a configuration names them.
            SimNode node = new SimNode(id, voters, options.config(), network, () -> now, machines, checker, seed,
                    completions);
            node.slowDisk = swarm.nextInt(3) == 0 ? 0.7 : 0;
            node.streamRandom = streaming ? streamRandom.split() : null;
            nodes.add(node);
            node.start();
        }
    }

    /** Runs both phases and the final checks. Throws {@link AssertionError} on any violation. */
    public void run() {
        for (int i = 0; i < options.chaosSteps(); i++) {
            nemesis();
            step(true);
        }
        heal();
        boolean converged = false;
        for (int i = 0; i < options.healSteps() && !converged; i++) {
            step(false);
            converged = i % 50 == 0 && converged();
        }
        if (!converged) {
            throw new AssertionError("I10 violated: no convergence within " + options.healSteps()
                    + " steps after healing: " + describe());
        }
        awaitCompletions();
        finalChecks();
    }

    /** One step: time moves, due messages arrive, every task of every running node works once. */
    void step(boolean clientsMayStart) {
        now += STEP_NANOS + scheduler.nextLong(STEP_NANOS);
        steps++;
        network.deliverDue(now, trace);
        List<Agent> agents = new ArrayList<>();
        List<SimNode> owners = new ArrayList<>();
        List<NodeRuntime> incarnations = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.isUp() && node.pausedUntil <= now) {
                for (Agent agent : node.agents()) {
                    if (agent.roleName().contains("log-writer")
                            && (node.writerHeld || scheduler.nextDouble() < node.slowDisk)) {
                        continue;
                    }
                    agents.add(agent);
                    owners.add(node);
                    incarnations.add(node.runtime());
                }
            }
        }
        for (int i = agents.size() - 1; i > 0; i--) {
            int j = scheduler.nextInt(i + 1);
            java.util.Collections.swap(agents, i, j);
            java.util.Collections.swap(owners, i, j);
            java.util.Collections.swap(incarnations, i, j);
        }
        for (int i = 0; i < agents.size(); i++) {
            Agent agent = agents.get(i);
            if (owners.get(i).runtime() != incarnations.get(i)) {
                continue; // its node crashed earlier in this step (a scripted crash)
            }
            try {
                agent.doWork();
            } catch (Exception e) {
                throw new AssertionError("task " + agent.roleName() + " threw at step " + steps, e);
            }
            if (afterEachTask != null) {
                afterEachTask.run();
            }
        }
        for (SimNode node : nodes) {
            if (node.stateMachineFailure != null) {
                throw node.stateMachineFailure;
            }
        }
        restartDueNodes();
        workload.step(now, nodes, clientsMayStart);
        checker.afterStep(nodes);
        completions.afterStep();
        if (steps % 100 == 0) {
            checker.checkLogMatching(nodes);
        }
    }

    // ------------------------------------------------------------------ nemesis

    private void nemesis() {
        int n = nodes.size();
        int down = 0;
        int voters = options.nodes();
        for (SimNode node : nodes) {
            if (!node.isServing() || node.pausedUntil > now) {
                down++;
            }
        }
        int maxDown = (voters - 1) / 2;
        if (nemesisRandom.nextDouble() < partitionRate) {
            partition();
        }
        if (down < maxDown && nemesisRandom.nextDouble() < crashRate) {
            SimNode victim = nodes.get(nemesisRandom.nextInt(n));
            if (victim.isUp()) {
                SimDisk.CrashMode mode = SimDisk.CrashMode.values()[nemesisRandom.nextInt(3)];
                victim.crash(nemesisRandom, mode, now + 100_000_000L + nemesisRandom.nextLong(1_000_000_000L));
                checker.restarted(victim.id);
                trace.add("crash " + victim.id + " " + mode);
            }
        }
        if (down < maxDown && nemesisRandom.nextDouble() < pauseRate) {
            SimNode victim = nodes.get(nemesisRandom.nextInt(n));
            victim.pausedUntil = now + 300_000_000L + nemesisRandom.nextLong(700_000_000L);
            trace.add("pause " + victim.id);
        }
        if (down < maxDown && nemesisRandom.nextDouble() < fsyncFailureRate) {
            SimNode victim = nodes.get(nemesisRandom.nextInt(n));
            if (victim.isServing()) {
                victim.disk.failNextFlush();
                trace.add("fsync failure " + victim.id);
            }
        }
        if (nemesisRandom.nextDouble() < transferRate) {
            transferLeadership();
        }
        if (nemesisRandom.nextDouble() < membershipRate) {
            changeMembership();
        }
        if (!scheduledHeals.isEmpty() && nemesisRandom.nextDouble() < 0.004) {
            scheduledHeals.remove(0).run();
        }
        if (down < maxDown && stopRate > 0 && stopRandom.nextDouble() < stopRate) {
            SimNode victim = nodes.get(stopRandom.nextInt(n));
            if (victim.isServing()) {
                SimDisk.CrashMode mode = SimDisk.CrashMode.values()[stopRandom.nextInt(3)];
                victim.close(stopRandom, mode, now + 100_000_000L + stopRandom.nextLong(1_000_000_000L));
                checker.restarted(victim.id);
                trace.add("stop " + victim.id + " " + mode);
            }
        }
    }

    /** The leader is asked to hand leadership to a random other node (which may be down or behind). */
    private void transferLeadership() {
        long target = 1 + nemesisRandom.nextInt(nodes.size());
        for (SimNode node : nodes) {
            if (node.isServing() && node.engine().role() == Role.LEADER && node.id != target) {
                node.runtime().tryTransferLeadership(target, new java.util.concurrent.CompletableFuture<>());
                trace.add("transfer " + node.id + " -> " + target);
                return;
            }
        }
    }

    /** The leader is asked to move to a random voter set of the cluster's size, with random learners. */
    private void changeMembership() {
        int total = nodes.size();
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= total; id++) {
            ids.add(id);
        }
        for (int i = ids.size() - 1; i > 0; i--) {
            java.util.Collections.swap(ids, i, nemesisRandom.nextInt(i + 1));
        }
        long[] voters = ids.subList(0, options.nodes()).stream().mapToLong(Long::longValue).toArray();
        long[] learners = ids.subList(options.nodes(), total).stream().filter(id -> nemesisRandom.nextBoolean())
                .mapToLong(Long::longValue).toArray();
        for (SimNode node : nodes) {
            if (node.isServing() && node.engine().role() == Role.LEADER) {
                node.runtime().tryChangeMembership(voters, learners, new java.util.concurrent.CompletableFuture<>());
                trace.add("membership " + java.util.Arrays.toString(voters) + java.util.Arrays.toString(learners));
                return;
            }
        }
    }

    /** The members (voters and learners) in the configuration of the serving leader, or null. */
    java.util.Set<Long> members() {
        for (SimNode node : nodes) {
            if (node.isServing() && node.engine().role() == Role.LEADER) {
                io.ringraft.api.Membership membership = node.status().membership();
                java.util.Set<Long> all = new java.util.TreeSet<>(membership.voters());
                all.addAll(membership.learners());
                return all;
            }
        }
        return null;
    }

    private void partition() {
        int n = nodes.size();
        long a = 1 + nemesisRandom.nextInt(n);
        long b = 1 + nemesisRandom.nextInt(n);
        if (a == b) {
            return;
        }
        switch (nemesisRandom.nextInt(3)) {
            case 0 -> { // isolate a from everyone
                for (long other = 1; other <= n; other++) {
                    if (other != a) {
                        network.setCut(a, other, true);
                        network.setCut(other, a, true);
                    }
                }
                scheduledHeals.add(network::healAll);
            }
            case 1 -> { // one direction only
                network.setCut(a, b, true);
                long from = a;
                long to = b;
                scheduledHeals.add(() -> network.setCut(from, to, false));
            }
            default -> { // partial: a and b cannot talk, both still reach the rest
                network.setCut(a, b, true);
                network.setCut(b, a, true);
                long x = a;
                long y = b;
                scheduledHeals.add(() -> {
                    network.setCut(x, y, false);
                    network.setCut(y, x, false);
                });
            }
        }
        trace.add("partition " + a + " " + b);
    }

    private void restartDueNodes() {
        for (SimNode node : nodes) {
            if (!node.isUp() && node.restartAt >= 0 && node.restartAt <= now) {
                node.restartAt = -1;
                checker.restarted(node.id);
                node.start();
                trace.add("restart " + node.id);
            } else if (node.isUp() && !node.isServing() && node.runtime().completionsSettled()) {
                // fail-stop after a storage error, noticed by every task: it must owe nothing now
                completions.nodeStopped(node);
                if (restartFailStopped && node.restartAt < 0) {
                    // an operator restarts it later
                    node.crash(nemesisRandom, SimDisk.CrashMode.LOST, now + 500_000_000L);
                    checker.restarted(node.id);
                    trace.add("fail-stop " + node.id);
                }
            }
        }
    }

    private void heal() {
        network.healAll();
        scheduledHeals.clear();
        network.dropProbability = 0;
        network.duplicateProbability = 0;
        network.meanExtraDelayNanos = 1_000_000;
        for (SimNode node : nodes) {
            node.pausedUntil = 0;
            node.slowDisk = 0;
            if (!node.isUp()) {
                node.restartAt = now;
            }
        }
    }

    boolean converged() {
        long leaders = 0;
        long applied = -1;
        long last = -1;
        java.util.Set<Long> members = members();
        if (members == null) {
            return false;
        }
        for (SimNode node : nodes) {
            if (!members.contains(node.id)) {
                continue; // removed from the cluster (or never added): it may lag forever
            }
            if (!node.isServing() || node.status().membership().changing()) {
                return false;
            }
            RaftStatus status = node.status();
            if (status.role() == Role.LEADER) {
                leaders++;
            }
            if (applied < 0) {
                applied = status.appliedIndex();
                last = status.lastLogId().index();
            } else if (applied != status.appliedIndex() || last != status.lastLogId().index()) {
                return false;
            }
        }
        return leaders == 1 && applied == last && workload.idle();
    }

    /**
     * I9 at the end of a run: everything the running nodes accepted completes (forwards and reads may
     * wait out their timeouts, a dozen election timeouts at most) without new client operations.
     */
    void awaitCompletions() {
        long deadline = now + 20L * options.config().electionTimeoutMillis() * 1_000_000L;
        while (!completions.stillPending().isEmpty() && now < deadline) {
            step(false);
        }
        List<CompletionChecker.Tracked> pending = completions.stillPending();
        if (!pending.isEmpty()) {
            throw new AssertionError("I9 violated: " + pending.size() + " accepted requests never completed, e.g. "
                    + pending.get(0) + describe());
        }
    }

    void finalChecks() {
        checker.checkLogMatching(nodes);
        for (SimNode node : nodes) {
            if (!node.isUp()) {
                continue; // a non-member left crashed (convergence needs every member up)
            }
            if (node.engine().role() == Role.LEADER) {
                checker.checkLeaderCompleteness(node, node.engine());
            }
            checker.checkNoGaps(node);
            java.util.Set<Long> members = members();
            if (members != null && !members.contains(node.id)) {
                continue; // not a member: it need not hold every write
            }
            for (long opId : workload.acknowledgedWrites()) {
                if (!checker.hasApplied(node.id, opId)) {
                    throw new AssertionError("I5 violated: acknowledged write " + opId + " is not applied on node "
                            + node.id);
                }
            }
        }
        for (ClientWorkload.Abandoned op : workload.abandoned()) {
            // Liveness of results: a node that applied a command proposed (or forwarded) through it must
            // have completed the proposer's future, whatever the client's patience was.
            if (!op.future().isDone() && op.target().incarnation == op.targetIncarnation() && op.target().isServing()
                    && checker.hasApplied(op.target().id, op.opId())) {
                throw new AssertionError("op " + op.opId() + " was applied on node " + op.target().id
                        + ", which it was proposed to, but its future never completed");
            }
        }
        CheckResult<I, O> result = linearizability.check(workload.history);
        if (!result.isOk()) {
            throw new AssertionError("I8 violated: the client history is not linearizable ("
                    + result.outcome() + "):\n" + result.render());
        }
    }

    // ------------------------------------------------------------------ reporting

    /** The last events of the run described in words, oldest first. */
    public List<String> recentEvents() {
        return trace.recent();
    }

    /** The last {@code count} operations of the clients' history (unknown outcomes included), oldest first. */
    public List<io.ringraft.testkit.linearizability.Operation<I, O>> historyTail(int count) {
        List<io.ringraft.testkit.linearizability.Operation<I, O>> all = workload.history.operations();
        return List.copyOf(all.subList(Math.max(0, all.size() - count), all.size()));
    }

    /** Client operations: completed, definitely failed, outcome unknown. */
    public long[] operationCounts() {
        return new long[] {workload.completed, workload.failed, workload.unknown};
    }

    public long steps() {
        return steps;
    }

    public long traceHash() {
        return trace.value();
    }

    public long seed() {
        return seed;
    }

    /** Snapshots taken, snapshots restored (installed or at restart), snapshot chunks sent. */
    public long[] snapshotCounts() {
        return checker.snapshotCounts();
    }

    /** Node incarnations that applied through the streaming state machine. */
    public long streamingIncarnations() {
        return nodes.stream().mapToLong(node -> node.streamingIncarnations).sum();
    }

    /** Commands followers forwarded that a leader appended. */
    public long forwardsAppended() {
        return checker.forwardsAppended();
    }

    public String workloadSummary() {
        return workload.completed + " ok, " + workload.failed + " failed, " + workload.unknown + " unknown";
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        for (SimNode node : nodes) {
            s.append("\n  node ").append(node.id).append(": ");
            s.append(node.isUp() ? String.valueOf(node.status()) : "down");
        }
        s.append("\n  network in flight: ").append(network.inFlight());
        return s.toString();
    }

    List<SimNode> nodes() {
        return nodes;
    }

    SimNetwork network() {
        return network;
    }

    ClientWorkload<I, O> workload() {
        return workload;
    }

    long now() {
        return now;
    }

    SafetyChecker checker() {
        return checker;
    }

    // ------------------------------------------------------------------ scripting (scenario tests)

    SimNode node(long id) {
        return nodes.get((int) id - 1);
    }

    /** Steps (clients may start operations if {@code clients}) until {@code done}, at most {@code maxSteps}. */
    void stepUntil(String what, int maxSteps, boolean clients, BooleanSupplier done) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step(clients);
        }
        if (!done.getAsBoolean()) {
            throw new AssertionError("not reached within " + maxSteps + " steps: " + what + describe());
        }
    }

    void steps(int count, boolean clients) {
        for (int i = 0; i < count; i++) {
            step(clients);
        }
    }

    /** The serving leader of the highest term among serving nodes, or null. */
    SimNode leader() {
        SimNode leader = null;
        long maxTerm = -1;
        for (SimNode node : nodes) {
            if (node.isServing() && node.pausedUntil <= now) {
                maxTerm = Math.max(maxTerm, node.engine().term());
            }
        }
        for (SimNode node : nodes) {
            if (node.isServing() && node.pausedUntil <= now && node.engine().role() == Role.LEADER
                    && node.engine().term() == maxTerm) {
                leader = node;
            }
        }
        return leader;
    }

    SimNode awaitLeader(int maxSteps, boolean clients) {
        stepUntil("a leader", maxSteps, clients, () -> leader() != null);
        return leader();
    }

    /** Power loss on node {@code id} now; it stays down until {@link #restart}. */
    void crash(long id, SimDisk.CrashMode mode, SplittableRandom random) {
        SimNode node = node(id);
        if (!node.isUp()) {
            throw new IllegalStateException("node " + id + " is already down");
        }
        node.crash(random, mode, -1);
        checker.restarted(id);
        trace.add("crash " + id + " " + mode);
    }

    void restart(long id) {
        SimNode node = node(id);
        if (node.isUp()) {
            throw new IllegalStateException("node " + id + " is up");
        }
        node.restartAt = -1;
        checker.restarted(id);
        node.start();
        trace.add("restart " + id);
    }

    /** The node's tasks do not run for {@code nanos} of virtual time (its clock goes on). */
    void pause(long id, long nanos) {
        node(id).pausedUntil = now + nanos;
    }

    /** Cuts ({@code cut}) or restores the links between a and b, both directions. */
    void setLink(long a, long b, boolean cut) {
        network.setCut(a, b, cut);
        network.setCut(b, a, cut);
    }

    /** Cuts or restores every link of node {@code id}. */
    void setIsolated(long id, boolean isolated) {
        for (SimNode other : nodes) {
            if (other.id != id) {
                setLink(id, other.id, isolated);
            }
        }
    }

    /** Submits an operation from a new client to node {@code id}, through the log. */
    ClientWorkload.ScriptedOp<I> submit(long id, I input) {
        return workload.submit(node(id), input, false, () -> now);
    }

    /** Submits a read-only operation to node {@code id} as a linearizable read (ReadIndex, not through the log). */
    ClientWorkload.ScriptedOp<I> read(long id, I input) {
        return workload.submit(node(id), input, true, () -> now);
    }
}
