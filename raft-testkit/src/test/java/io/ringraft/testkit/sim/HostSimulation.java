package io.ringraft.testkit.sim;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.testkit.linearizability.CheckResult;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvLinearizability;
import io.ringraft.testkit.linearizability.KvOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.Agent;

/**
 * A deterministic simulation of H hosts running G Raft groups each (issue 13): host {@code h} runs node
 * {@code h} of every group, all groups share one {@link SimNetwork} whose cuts fall between hosts, a
 * host crash takes every node of the host down at once, and a host's liveness detector reports a peer
 * host that it has not heard from for an election timeout to every group it runs
 * ({@code NodeRuntime.peerUnreachable}), again every election timeout while it stays unreachable.
 *
 * <p>Every group has its own {@link SafetyChecker} (I1-I4, I6, I7 per group, after every step and on
 * every message), its own {@link CompletionChecker} and its own KV clients ({@link ClientWorkload} of {@link KvOperations}), whose
 * history must be linearizable at the end. Clients only start operations while the simulation is
 * {@linkplain #clientsActive busy}, so that groups go quiet in between.
 *
 * <p>{@link #run} is the randomized run: busy and idle periods, host crashes and restarts,
 * partitions (a host isolated, or two hosts cut apart) and heals, on a lossy network for half of the
 * seeds; then every fault is removed, every
 * group must converge, every request complete, every group go quiet again, and the final checks hold.
 * Scenario tests script their own faults instead. Single-threaded; a seed replays exactly.
 */
final class HostSimulation {

    private static final long STEP_NANOS = 250_000;

    /** One group: its nodes (index h - 1 is host h's), checkers and clients. */
    final class Group {
        final long id;
        final List<SimNode> nodes = new ArrayList<>();
        final SafetyChecker checker;
        final CompletionChecker completions = new CompletionChecker();
        final ClientWorkload<KvInput, KvOutput> workload;

        Group(long id, SplittableRandom random) {
            this.id = id;
            this.checker = new SafetyChecker(trace);
            this.workload = new ClientWorkload<>(random, clientsPerGroup, new KvOperations(3), 2_000_000_000L);
        }

        SimNode node(long host) {
            return nodes.get((int) host - 1);
        }

        /** The serving leader of the highest term among serving nodes, or null. */
        SimNode leader() {
            long maxTerm = -1;
            for (SimNode node : nodes) {
                if (node.isServing()) {
                    maxTerm = Math.max(maxTerm, node.engine().term());
                }
            }
            for (SimNode node : nodes) {
                if (node.isServing() && node.engine().role() == Role.LEADER && node.engine().term() == maxTerm) {
                    return node;
                }
            }
            return null;
        }

        /** Every node serving, one leader, the same log applied everywhere, no client operation pending. */
        boolean converged() {
            int leaders = 0;
            long applied = -1;
            long last = -1;
            for (SimNode node : nodes) {
                if (!node.isServing()) {
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

        /** Every node of the group up and quiesced (as its core published it). */
        boolean quiet() {
            for (SimNode node : nodes) {
                if (!node.isServing() || !node.runtime().quiesced()) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Every node of the group up and holding none of what a quiet group gives back: ring tables, proposal
         * array, futures' table, the tasks' views over the ring, the engine's read tables.
         */
        boolean released() {
            for (SimNode node : nodes) {
                if (!node.isServing() || !node.runtime().idleMemoryReleased()) {
                    return false;
                }
            }
            return true;
        }

        void finalChecks() {
            checker.checkLogMatching(nodes);
            for (SimNode node : nodes) {
                if (node.engine().role() == Role.LEADER) {
                    checker.checkLeaderCompleteness(node, node.engine());
                }
                checker.checkNoGaps(node);
                for (long opId : workload.acknowledgedWrites()) {
                    if (!checker.hasApplied(node.id, opId)) {
                        throw new AssertionError("I5 violated in group " + id + ": acknowledged write " + opId
                                + " is not applied on node " + node.id);
                    }
                }
            }
            CheckResult<KvInput, KvOutput> result = KvLinearizability.checker().check(workload.history);
            if (!result.isOk()) {
                throw new AssertionError("I8 violated in group " + id + ": the client history is not linearizable ("
                        + result.outcome() + "):\n" + result.render());
            }
        }
    }

    private final long seed;
    private final int hosts;
    private final RaftConfig config;
    private final int clientsPerGroup;
    private final long electionTimeoutNanos;
    private final SplittableRandom scheduler;
    private final SplittableRandom nemesisRandom;
    private final TraceHash trace = new TraceHash();
    private final SimNetwork network;
    private final List<Group> groups = new ArrayList<>();
    private final boolean[] hostUp;
    /** Per host, virtual time at which it restarts after a crash, or -1. */
    private final long[] restartAt;
    /** [a][b]: when host a last could hear host b, and when a last reported b unreachable (0: not since). */
    private final long[][] lastHeard;
    private final long[][] lastReported;
    private long now = 1_000_000_000L;
    private long steps;
    /** Whether clients may start operations now. */
    boolean clientsActive = true;
    /** Reports of unreachable hosts made to groups so far. */
    long unreachableReports;
    /** Vote requests (pre-votes included) sent so far, over all groups. */
    long voteRequests;
    /**
     * Per host, virtual time until which its groups' tasks do not run although the host is alive and
     * connected (its detector runs, messages queue up): a host scheduler that skips quiet groups.
     */
    private final long[] frozenUntil;

    HostSimulation(long seed, int hosts, int groupCount, RaftConfig config, int clientsPerGroup) {
        this.seed = seed;
        this.hosts = hosts;
        this.config = config;
        this.clientsPerGroup = clientsPerGroup;
        this.electionTimeoutNanos = config.electionTimeoutMillis() * 1_000_000L;
        SplittableRandom root = new SplittableRandom(seed);
        this.scheduler = root.split();
        this.nemesisRandom = root.split();
        this.network = new SimNetwork(root.split(), hosts, (groupId, message) -> {
            group(groupId).checker.onSend(message);
            if (message instanceof io.ringraft.message.VoteRequest) {
                voteRequests++;
            }
        });
        this.hostUp = new boolean[hosts + 1];
        this.frozenUntil = new long[hosts + 1];
        this.restartAt = new long[hosts + 1];
        this.lastHeard = new long[hosts + 1][hosts + 1];
        this.lastReported = new long[hosts + 1][hosts + 1];
        long[] voters = new long[hosts];
        for (int i = 0; i < hosts; i++) {
            voters[i] = i + 1;
        }
        for (long g = 1; g <= groupCount; g++) {
            Group group = new Group(g, root.split());
            for (long h = 1; h <= hosts; h++) {
                group.nodes.add(new SimNode(g, h, voters, config, network, () -> now, id -> new KvStateMachine(),
                        group.checker, seed, group.completions));
            }
            groups.add(group);
        }
        for (int h = 1; h <= hosts; h++) {
            startHost(h);
        }
    }

    // ------------------------------------------------------------------ the randomized run

    /**
     * Busy and idle periods with host crashes and partitions, then a heal phase that must converge.
     * Throws {@link AssertionError} on any violation.
     */
    void run(int chaosSteps, int healSteps) {
        int period = 1_200 + nemesisRandom.nextInt(1_200); // busy for the first third of each period
        if (nemesisRandom.nextBoolean()) { // half of the seeds: a lossy network (lost Quiesce messages too)
            network.dropProbability = 0.02;
            network.duplicateProbability = 0.02;
            network.meanExtraDelayNanos = 3_000_000;
            trace.add("lossy");
        }
        for (int i = 0; i < chaosSteps; i++) {
            clientsActive = i % period < period / 3;
            nemesis();
            step();
        }
        healAll();
        clientsActive = false;
        stepUntil("every group converged after healing", healSteps,
                () -> groups.stream().allMatch(Group::converged));
        awaitCompletions();
        // Once healed and idle, every group goes quiet again (quiescence is live).
        stepUntil("every group quiet after healing", healSteps, () -> groups.stream().allMatch(Group::quiet));
        stepUntil("every quiet group released its ring and queue", healSteps,
                () -> groups.stream().allMatch(Group::released));
        for (Group group : groups) {
            group.finalChecks();
        }
    }

    private final List<Runnable> scheduledHeals = new ArrayList<>();

    private void nemesis() {
        int down = 0;
        for (int h = 1; h <= hosts; h++) {
            down += hostUp[h] ? 0 : 1;
        }
        if (down < (hosts - 1) / 2 && nemesisRandom.nextDouble() < 0.0004) {
            int victim = 1 + nemesisRandom.nextInt(hosts);
            if (hostUp[victim]) {
                crashHost(victim, SimDisk.CrashMode.values()[nemesisRandom.nextInt(3)]);
                restartAt[victim] = now + 200_000_000L + nemesisRandom.nextLong(1_500_000_000L);
            }
        }
        if (nemesisRandom.nextDouble() < 0.0004) {
            int a = 1 + nemesisRandom.nextInt(hosts);
            if (nemesisRandom.nextBoolean()) {
                setIsolated(a, true);
                scheduledHeals.add(() -> setIsolated(a, false));
                trace.add("isolate host " + a);
            } else {
                int b = 1 + nemesisRandom.nextInt(hosts);
                if (a != b) {
                    setLink(a, b, true);
                    scheduledHeals.add(() -> setLink(a, b, false));
                    trace.add("cut hosts " + a + " " + b);
                }
            }
        }
        if (!scheduledHeals.isEmpty() && nemesisRandom.nextDouble() < 0.002) {
            scheduledHeals.remove(0).run();
        }
        for (int h = 1; h <= hosts; h++) {
            if (!hostUp[h] && restartAt[h] >= 0 && restartAt[h] <= now) {
                restartHost(h);
            }
        }
    }

    private void healAll() {
        scheduledHeals.clear();
        network.healAll();
        network.dropProbability = 0;
        network.duplicateProbability = 0;
        network.meanExtraDelayNanos = 1_000_000;
        for (int h = 1; h <= hosts; h++) {
            if (!hostUp[h]) {
                restartHost(h);
            }
        }
        trace.add("heal");
    }

    /** Every request every running node accepted completes (I9), within a few election timeouts. */
    void awaitCompletions() {
        long deadline = now + 20 * electionTimeoutNanos;
        while (now < deadline && groups.stream().anyMatch(g -> !g.completions.stillPending().isEmpty())) {
            step();
        }
        for (Group group : groups) {
            List<CompletionChecker.Tracked> pending = group.completions.stillPending();
            if (!pending.isEmpty()) {
                throw new AssertionError("I9 violated in group " + group.id + ": " + pending.size()
                        + " accepted requests never completed, e.g. " + pending.get(0) + describe());
            }
        }
    }

    // ------------------------------------------------------------------ stepping

    /** One step: time moves, due messages arrive, detectors report, every task of every running node works once. */
    void step() {
        now += STEP_NANOS + scheduler.nextLong(STEP_NANOS);
        steps++;
        network.deliverDue(now, trace);
        detectUnreachableHosts();
        List<Agent> agents = new ArrayList<>();
        List<SimNode> owners = new ArrayList<>();
        List<NodeRuntime> incarnations = new ArrayList<>();
        for (Group group : groups) {
            for (SimNode node : group.nodes) {
                if (node.isUp() && frozenUntil[(int) node.id] <= now) {
                    for (Agent agent : node.agents()) {
                        agents.add(agent);
                        owners.add(node);
                        incarnations.add(node.runtime());
                    }
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
            if (owners.get(i).runtime() != incarnations.get(i)) {
                continue;
            }
            try {
                agents.get(i).doWork();
            } catch (Exception e) {
                throw new AssertionError("task " + agents.get(i).roleName() + " threw at step " + steps, e);
            }
        }
        for (Group group : groups) {
            group.workload.step(now, group.nodes, clientsActive);
            group.checker.afterStep(group.nodes);
            group.completions.afterStep();
            if (steps % 100 == 0) {
                group.checker.checkLogMatching(group.nodes);
            }
        }
    }

    /**
     * Each running host's liveness detector: a peer host it could not hear from (down, or the link
     * from it cut) for an election timeout is reported to every group the host runs, and again every
     * election timeout while that lasts.
     */
    private void detectUnreachableHosts() {
        for (int a = 1; a <= hosts; a++) {
            if (!hostUp[a]) {
                continue;
            }
            for (int b = 1; b <= hosts; b++) {
                if (a == b) {
                    continue;
                }
                if (hostUp[b] && !network.isCut(b, a)) {
                    lastHeard[a][b] = now;
                    lastReported[a][b] = 0;
                } else if (now - lastHeard[a][b] >= electionTimeoutNanos
                        && now - lastReported[a][b] >= electionTimeoutNanos) {
                    lastReported[a][b] = now;
                    for (Group group : groups) {
                        SimNode node = group.node(a);
                        if (node.isServing()) {
                            node.runtime().peerUnreachable(b);
                            unreachableReports++;
                        }
                    }
                    trace.add("host " + a + " lost host " + b);
                }
            }
        }
    }

    void steps(int count) {
        for (int i = 0; i < count; i++) {
            step();
        }
    }

    /** Steps until {@code done}, at most {@code maxSteps}. */
    void stepUntil(String what, int maxSteps, BooleanSupplier done) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        if (!done.getAsBoolean()) {
            throw new AssertionError("seed " + seed + ": not reached within " + maxSteps + " steps: " + what
                    + describe());
        }
    }

    // ------------------------------------------------------------------ hosts and links

    private void startHost(int host) {
        for (Group group : groups) {
            group.node(host).start();
        }
        hostUp[host] = true;
        restartAt[host] = -1;
        for (int b = 1; b <= hosts; b++) {
            lastHeard[host][b] = now; // a fresh detector gives every peer a full timeout
            lastReported[host][b] = 0;
        }
    }

    /** Power loss on host {@code host}: every node it runs goes down at once. */
    void crashHost(int host, SimDisk.CrashMode mode) {
        for (Group group : groups) {
            SimNode node = group.node(host);
            if (node.isUp()) {
                node.crash(nemesisRandom, mode, -1);
                group.checker.restarted(node.id);
            }
        }
        hostUp[host] = false;
        restartAt[host] = -1;
        trace.add("crash host " + host + " " + mode);
    }

    void restartHost(int host) {
        for (Group group : groups) {
            group.checker.restarted(host);
        }
        startHost(host);
        trace.add("restart host " + host);
    }

    /**
     * Host {@code host}'s group tasks do not run for {@code nanos} of virtual time, as if its scheduler
     * skipped them; the host stays alive and connected (its peers keep hearing it).
     */
    void freeze(int host, long nanos) {
        frozenUntil[host] = now + nanos;
    }

    void setLink(int a, int b, boolean cut) {
        network.setCut(a, b, cut);
        network.setCut(b, a, cut);
    }

    void setIsolated(int host, boolean isolated) {
        for (int other = 1; other <= hosts; other++) {
            if (other != host) {
                setLink(host, other, isolated);
            }
        }
    }

    // ------------------------------------------------------------------ access

    List<Group> groups() {
        return groups;
    }

    Group group(long id) {
        return groups.get((int) id - 1);
    }

    int hosts() {
        return hosts;
    }

    long now() {
        return now;
    }

    long steps() {
        return steps;
    }

    long electionTimeoutNanos() {
        return electionTimeoutNanos;
    }

    SimNetwork network() {
        return network;
    }

    RaftConfig config() {
        return config;
    }

    long traceHash() {
        return trace.value();
    }

    boolean hostUp(int host) {
        return hostUp[host];
    }

    /** Submits a put to group {@code groupId}'s current leader (or host 1's node if none). */
    ClientWorkload.ScriptedOp<KvInput> put(long groupId, String key, String value) {
        Group group = group(groupId);
        SimNode target = group.leader() != null ? group.leader() : group.node(1);
        return group.workload.submit(target, KvInput.put(key, value), false, () -> now);
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        for (Group group : groups) {
            s.append("\n  group ").append(group.id).append(':');
            for (SimNode node : group.nodes) {
                s.append("\n    node ").append(node.id).append(": ");
                s.append(node.isUp() ? node.engine() + " quiet=" + node.runtime().quiesced() : "down");
            }
        }
        s.append("\n  network in flight: ").append(network.inFlight());
        return s.toString();
    }
}
