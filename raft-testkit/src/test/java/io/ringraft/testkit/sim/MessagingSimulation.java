package io.ringraft.testkit.sim;

import io.ringraft.api.Admission;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.internal.messaging.Deliverer;
import io.ringraft.internal.messaging.MessagingMachine;
import io.ringraft.internal.messaging.OutboxProbe;
import io.ringraft.internal.messaging.SourceNode;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.messaging.BankMachine;
import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.OutboxSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.Agent;

/**
 * A deterministic simulation of messaging groups (issue 15): H hosts run a replica of each of G bank groups
 * ({@link BankMachine} wrapped by {@link MessagingMachine}); clients propose transfers between accounts of
 * any two groups to the groups' leaders; each replica's {@link Deliverer} delivers its outbox while it leads,
 * through the target group's replica on the same host (forwarded to the target's leader, as
 * {@link MessageRoute#through} does in a {@code RaftHost}). The nemesis crashes and restarts hosts (losing,
 * keeping or tearing unflushed writes), isolates hosts, cuts pairs of hosts, makes the network lossy for
 * half of the seeds, and for half of the seeds changes groups' memberships (a host dropped from a group's
 * voters, kept as a learner or not, and taken back); snapshots and log compaction run throughout.
 *
 * <p>Checks: every message is received exactly once and in order per pair ({@link BankMachine#receive}
 * throws otherwise, which fail-stops the replica, which this simulation reports); after every step money is
 * conserved: the balances plus the credits in flight (messages in each group's outbox the target has not
 * applied) equal the initial total, read from each group's most advanced state ever reached (a ghost kept
 * per group, since a crash may take the most advanced replica's state away until it replays); after healing,
 * every outbox on every replica drains, every message sent was received, and the balances alone hold the
 * initial total. Single-threaded; a seed replays exactly.
 */
final class MessagingSimulation {

    private static final long STEP_NANOS = 250_000;
    static final int ACCOUNTS = 4;
    static final long INITIAL = 1_000;

    /** One replica: host {@code host}'s node of group {@code group}. */
    final class Replica {
        final long group;
        final long host;
        final SimDisk disk = new SimDisk();
        final InMemorySnapshotStore snapshots = new InMemorySnapshotStore(2);
        NodeRuntime runtime;
        MessagingMachine machine;
        BankMachine bank;
        Deliverer deliverer;
        int incarnation;
        /** The remote route's first host to try: the last one that led the target (1-based). */
        long lastRemoteLeader = 1;

        Replica(long group, long host) {
            this.group = group;
            this.host = host;
        }

        void start() {
            incarnation++;
            bank = new BankMachine(group, ACCOUNTS, INITIAL);
            machine = new MessagingMachine(group, bank, settings, () -> now);
            runtime = new NodeRuntime(group, host, voters, config, machine, new SimLogStorage(disk), snapshots.reopen(),
                    network, null, null, NodeRuntime.Threading.MANUAL, () -> now,
                    new SplittableRandom(seed * 31 + host * 1_000_003L + incarnation + group * 7_777_777_777L));
            runtime.start();
            NodeRuntime mine = runtime;
            SourceNode source = new SourceNode() {
                @Override
                public boolean isLeader() {
                    return !mine.isStopped() && mine.engine().role() == Role.LEADER;
                }

                @Override
                public CompletableFuture<Object> propose(byte[] entry) {
                    return MessagingSimulation.propose(mine, entry);
                }
            };
            deliverer = new Deliverer(machine, source, remoteRoute ? this::deliverRemotely : this::deliver, () -> now,
                    () -> { });
        }

        /** The route: through this host's replica of the target group. */
        private CompletableFuture<Object> deliver(long target, byte[] entry) {
            deliveries++;
            Replica local = replica(target, host);
            if (!local.isServing()) {
                return CompletableFuture.failedFuture(new IllegalStateException("replica down"));
            }
            NodeRuntime runtime = local.runtime;
            if (runtime.engine().role() == Role.LEADER) {
                return MessagingSimulation.propose(runtime, entry);
            }
            CompletableFuture<Object> future = new CompletableFuture<>();
            if (!runtime.tryForward(entry, future)) {
                future.completeExceptionally(new RejectedException("too many forwards"));
            }
            return future;
        }

        /**
         * The route as {@code MessageRoute.through(RaftClient)} takes it, without the client's wire: the request
         * goes to the target's replicas in turn, from the last one that led, on hosts this host is not cut from;
         * the one that leads appends the entry as it is (the client server's DELIVER) and answers when it applied
         * it; a follower, a crashed or unreachable replica fails the attempt (the deliverer retries). On a lossy
         * network the answer is lost as often as a message is: the entry may apply all the same, and the retry's
         * copy is dropped by the target.
         */
        private CompletableFuture<Object> deliverRemotely(long target, byte[] entry) {
            deliveries++;
            for (int i = 0; i < hosts; i++) {
                long h = (lastRemoteLeader + i - 1) % hosts + 1;
                Replica there = replica(target, h);
                if (!there.isServing() || network.isCut(host, h) || there.runtime.engine().role() != Role.LEADER) {
                    continue;
                }
                lastRemoteLeader = h;
                CompletableFuture<Object> appended = MessagingSimulation.propose(there.runtime, entry);
                CompletableFuture<Object> answer = new CompletableFuture<>();
                boolean lost = network.dropProbability > 0 && nemesisRandom.nextDouble() < network.dropProbability;
                appended.whenComplete((result, error) -> {
                    if (lost) {
                        remoteAnswersLost++;
                        answer.completeExceptionally(new java.io.IOException("answer lost"));
                    } else if (error != null) {
                        answer.completeExceptionally(error);
                    } else {
                        answer.complete(result);
                    }
                });
                // the client's deadline: a replica that crashed (or was cut off) with the entry never answers
                remoteCalls.add(new RemoteCall(now + REMOTE_TIMEOUT_NANOS, answer));
                return answer;
            }
            return CompletableFuture.failedFuture(new IllegalStateException("no leader of group " + target
                    + " reachable from host " + host));
        }

        void crash(SimDisk.CrashMode mode) {
            network.disconnect(group, host);
            runtime = null;
            machine = null;
            bank = null;
            deliverer = null;
            disk.crash(nemesisRandom, mode);
        }

        boolean isServing() {
            return runtime != null && !runtime.isStopped();
        }

        List<Agent> agents() {
            if (runtime == null) {
                return List.of();
            }
            List<Agent> agents = new ArrayList<>(runtime.agents());
            agents.add(deliverer);
            return agents;
        }
    }

    /** The most advanced state a group reached: its applied index, balances and undelivered messages. */
    private static final class Ghost {
        long applied = -1;
        long total;
        List<OutboxProbe.Message> pending = List.of();
        long[] lastApplied;
    }

    /** The remote route's deadline for one delivery (the client's timeout), in simulated time. */
    private static final long REMOTE_TIMEOUT_NANOS = 500_000_000L;

    /** A delivery on the remote route waiting for its answer until its deadline. */
    private record RemoteCall(long deadline, CompletableFuture<Object> answer) {
    }

    /** Remote deliveries not answered yet: at most the deliverers' windows (groups x groups x in-flight). */
    private final List<RemoteCall> remoteCalls = new ArrayList<>();

    private void expireRemoteCalls() {
        remoteCalls.removeIf(call -> {
            if (!call.answer().isDone() && call.deadline() - now <= 0) {
                call.answer().completeExceptionally(new java.util.concurrent.TimeoutException("no answer by the deadline"));
            }
            return call.answer().isDone();
        });
    }

    private final long seed;
    private final boolean remoteRoute;
    private final int hosts;
    private final int groupCount;
    private final RaftConfig config;
    private final OutboxSettings settings;
    private final long[] voters;
    private final SplittableRandom scheduler;
    private final SplittableRandom nemesisRandom;
    private final SplittableRandom clientRandom;
    private final SimNetwork network;
    private final TraceHash trace = new TraceHash();
    /** [group - 1][host - 1] */
    private final List<List<Replica>> replicas = new ArrayList<>();
    private final Ghost[] ghosts;
    private final boolean[] hostUp;
    private final long[] restartAt;
    private final List<Runnable> scheduledHeals = new ArrayList<>();
    private long now = 1_000_000_000L;
    private long steps;
    private boolean clientsActive = true;
    long deliveries;
    long membershipChanges;
    /** Per run: how often the nemesis asks a group's leader for a membership change (0 for half the seeds). */
    private double membershipRate;
    long transfersProposed;
    long crashes;
    long refusals;
    long remoteAnswersLost;

    MessagingSimulation(long seed, int hosts, int groupCount, RaftConfig config, OutboxSettings settings) {
        this(seed, hosts, groupCount, config, settings, false);
    }

    /**
     * A simulation whose deliverers take the remote route ({@code remoteRoute}: to the target's leader directly,
     * as through the client protocol) instead of the local replica's forward.
     */
    MessagingSimulation(long seed, int hosts, int groupCount, RaftConfig config, OutboxSettings settings,
                        boolean remoteRoute) {
        this.seed = seed;
        this.remoteRoute = remoteRoute;
        this.hosts = hosts;
        this.groupCount = groupCount;
        this.config = config;
        this.settings = settings;
        SplittableRandom root = new SplittableRandom(seed);
        this.scheduler = root.split();
        this.nemesisRandom = root.split();
        this.clientRandom = root.split();
        this.network = new SimNetwork(root.split(), hosts, (groupId, message) -> { });
        this.voters = new long[hosts];
        for (int i = 0; i < hosts; i++) {
            voters[i] = i + 1;
        }
        this.ghosts = new Ghost[groupCount + 1];
        for (long g = 1; g <= groupCount; g++) {
            List<Replica> group = new ArrayList<>();
            for (long h = 1; h <= hosts; h++) {
                group.add(new Replica(g, h));
            }
            replicas.add(group);
            ghosts[(int) g] = new Ghost();
        }
        this.hostUp = new boolean[hosts + 1];
        this.restartAt = new long[hosts + 1];
        for (int h = 1; h <= hosts; h++) {
            startHost(h);
        }
    }

    /** Proposes {@code entry} on {@code runtime} the way {@code RaftNode.propose} does. */
    static CompletableFuture<Object> propose(NodeRuntime runtime, byte[] entry) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (runtime.isStopped()) {
            future.completeExceptionally(new RejectedException("stopped"));
            return future;
        }
        long correlationId = runtime.registerFuture(future);
        if (correlationId == 0) {
            future.completeExceptionally(new RejectedException("too many pending futures"));
            return future;
        }
        Admission admission = runtime.tryPropose((byte) 2, correlationId, entry, 0, entry.length);
        if (!admission.accepted()) {
            CompletableFuture<Object> mine = runtime.takeFuture(correlationId);
            if (mine != null) {
                mine.completeExceptionally(admission == Admission.NOT_LEADER
                        ? new NotLeaderException(runtime.selfId(), runtime.leaderHint())
                        : new RejectedException("refused: " + admission));
            }
        }
        return future;
    }

    // ------------------------------------------------------------------ the randomized run

    /** Chaos with clients, then heal, drain and the final checks. Throws {@link AssertionError} on a violation. */
    void run(int chaosSteps, int healSteps) {
        int period = 1_200 + nemesisRandom.nextInt(1_200);
        membershipRate = nemesisRandom.nextBoolean() ? 0.002 : 0;
        if (nemesisRandom.nextBoolean()) {
            network.dropProbability = 0.02;
            network.duplicateProbability = 0.02;
            network.meanExtraDelayNanos = 3_000_000;
        }
        for (int i = 0; i < chaosSteps; i++) {
            clientsActive = i % period < period * 2 / 3;
            nemesis();
            step();
        }
        healAll();
        clientsActive = false;
        stepUntil("every group back to every host as a voter", healSteps, this::fullMembership);
        stepUntil("every outbox drained on every replica and every group caught up", healSteps, this::drained);
        finalChecks();
    }

    private void nemesis() {
        int down = 0;
        for (int h = 1; h <= hosts; h++) {
            down += hostUp[h] ? 0 : 1;
        }
        if (down < (hosts - 1) / 2 && nemesisRandom.nextDouble() < 0.0005) {
            int victim = 1 + nemesisRandom.nextInt(hosts);
            if (hostUp[victim]) {
                crashHost(victim, SimDisk.CrashMode.values()[nemesisRandom.nextInt(3)]);
                restartAt[victim] = now + 200_000_000L + nemesisRandom.nextLong(1_500_000_000L);
            }
        }
        if (nemesisRandom.nextDouble() < 0.0005) {
            int a = 1 + nemesisRandom.nextInt(hosts);
            if (nemesisRandom.nextBoolean()) {
                setIsolated(a, true);
                scheduledHeals.add(() -> setIsolated(a, false));
            } else {
                int b = 1 + nemesisRandom.nextInt(hosts);
                if (a != b) {
                    setLink(a, b, true);
                    scheduledHeals.add(() -> setLink(a, b, false));
                }
            }
        }
        if (!scheduledHeals.isEmpty() && nemesisRandom.nextDouble() < 0.002) {
            scheduledHeals.remove(0).run();
        }
        if (nemesisRandom.nextDouble() < membershipRate) {
            changeMembership();
        }
        for (int h = 1; h <= hosts; h++) {
            if (!hostUp[h] && restartAt[h] >= 0 && restartAt[h] <= now) {
                startHost(h);
            }
        }
    }

    /** The serving leader of group {@code group} (of the highest term among its serving replicas), or null. */
    private Replica leaderOf(long group) {
        Replica leader = null;
        for (Replica replica : replicas.get((int) group - 1)) {
            if (replica.isServing() && replica.runtime.engine().role() == Role.LEADER
                    && (leader == null || replica.runtime.engine().term() > leader.runtime.engine().term())) {
                leader = replica;
            }
        }
        return leader;
    }

    /**
     * A random group's leader is asked to drop a random other host from its voters (keeping it as a learner
     * or not at all), or to take every host back as a voter. A dropped replica lags, and sources led on its
     * host cannot deliver to the group through it until it is back: delivery must wait, then go on.
     */
    private void changeMembership() {
        long group = 1 + nemesisRandom.nextInt(groupCount);
        Replica leader = leaderOf(group);
        if (leader == null) {
            return;
        }
        long[] voters = this.voters;
        long[] learners = new long[0];
        if (nemesisRandom.nextBoolean()) {
            long victim = 1 + nemesisRandom.nextInt(hosts);
            if (victim == leader.host) {
                return;
            }
            voters = java.util.Arrays.stream(this.voters).filter(v -> v != victim).toArray();
            learners = nemesisRandom.nextBoolean() ? new long[] {victim} : new long[0];
        }
        if (leader.runtime.tryChangeMembership(voters, learners, new CompletableFuture<>())) {
            membershipChanges++;
            trace.add("membership of group " + group + ": " + java.util.Arrays.toString(voters)
                    + java.util.Arrays.toString(learners));
        }
    }

    /** Every group's leader has every host as a voter, no change running; asks for it where not. */
    private boolean fullMembership() {
        boolean full = true;
        for (long g = 1; g <= groupCount; g++) {
            Replica leader = leaderOf(g);
            if (leader == null) {
                full = false;
                continue;
            }
            io.ringraft.api.Membership membership = leader.runtime.status().membership();
            if (membership.changing() || membership.voters().size() != hosts) {
                full = false;
                if (steps % 400 == 0) {
                    leader.runtime.tryChangeMembership(voters, new long[0], new CompletableFuture<>());
                }
            }
        }
        return full;
    }

    private void healAll() {
        scheduledHeals.clear();
        network.healAll();
        network.dropProbability = 0;
        network.duplicateProbability = 0;
        network.meanExtraDelayNanos = 1_000_000;
        for (int h = 1; h <= hosts; h++) {
            if (!hostUp[h]) {
                startHost(h);
            }
        }
    }

    // ------------------------------------------------------------------ stepping

    void step() {
        now += STEP_NANOS + scheduler.nextLong(STEP_NANOS);
        steps++;
        expireRemoteCalls();
        network.deliverDue(now, trace);
        List<Agent> agents = new ArrayList<>();
        List<Replica> owners = new ArrayList<>();
        List<NodeRuntime> incarnations = new ArrayList<>();
        for (List<Replica> group : replicas) {
            for (Replica replica : group) {
                for (Agent agent : replica.agents()) {
                    agents.add(agent);
                    owners.add(replica);
                    incarnations.add(replica.runtime);
                }
            }
        }
        for (int i = agents.size() - 1; i > 0; i--) {
            int j = scheduler.nextInt(i + 1);
            Collections.swap(agents, i, j);
            Collections.swap(owners, i, j);
            Collections.swap(incarnations, i, j);
        }
        for (int i = 0; i < agents.size(); i++) {
            if (owners.get(i).runtime != incarnations.get(i)) {
                continue;
            }
            try {
                agents.get(i).doWork();
            } catch (Exception e) {
                throw new AssertionError("seed " + seed + ": task " + agents.get(i).roleName() + " threw at step "
                        + steps, e);
            }
        }
        if (clientsActive) {
            clients();
        }
        checkNoReplicaFailed();
        updateGhostsAndCheckConservation();
    }

    /** Now and then a transfer from a random account of a random group to a random account of any group. */
    private void clients() {
        if (clientRandom.nextDouble() >= 0.3) {
            return;
        }
        long from = 1 + clientRandom.nextInt(groupCount);
        long to = 1 + clientRandom.nextInt(groupCount);
        byte[] command = BankMachine.transfer(clientRandom.nextInt(ACCOUNTS), to, clientRandom.nextInt(ACCOUNTS),
                1 + clientRandom.nextInt(30));
        for (Replica replica : replicas.get((int) from - 1)) {
            if (replica.isServing() && replica.runtime.engine().role() == Role.LEADER) {
                if (replica.machine.refusing()) {
                    refusals++; // what MessagingGroup.propose refuses with RejectedException
                    return;
                }
                propose(replica.runtime, MessagingGroup.envelope(command));
                transfersProposed++;
                return;
            }
        }
    }

    private void checkNoReplicaFailed() {
        for (List<Replica> group : replicas) {
            for (Replica replica : group) {
                if (replica.runtime != null && replica.runtime.isStopped() && replica.runtime.status().failure() != null) {
                    throw new AssertionError("seed " + seed + ": replica " + replica.host + " of group " + replica.group
                            + " failed at step " + steps + ": " + replica.runtime.status().failure());
                }
            }
        }
    }

    private void updateGhostsAndCheckConservation() {
        for (List<Replica> group : replicas) {
            for (Replica replica : group) {
                if (!replica.isServing()) {
                    continue;
                }
                long applied = replica.runtime.status().appliedIndex();
                Ghost ghost = ghosts[(int) replica.group];
                if (applied > ghost.applied) {
                    ghost.applied = applied;
                    ghost.total = replica.bank.total();
                    ghost.pending = OutboxProbe.pending(replica.machine);
                    ghost.lastApplied = new long[groupCount + 1];
                    for (long s = 1; s <= groupCount; s++) {
                        ghost.lastApplied[(int) s] = OutboxProbe.lastApplied(replica.machine, s);
                    }
                }
            }
        }
        long money = 0;
        for (int g = 1; g <= groupCount; g++) {
            money += ghosts[g].total;
            for (OutboxProbe.Message m : ghosts[g].pending) {
                if (m.sequence() > ghosts[(int) m.target()].lastApplied[g]) {
                    money += ByteBuffer.wrap(m.payload()).getLong(8);
                }
            }
        }
        long expected = groupCount * ACCOUNTS * INITIAL;
        if (money != expected) {
            throw new AssertionError("seed " + seed + ": money not conserved at step " + steps + ": " + money
                    + " (balances plus credits in flight) instead of " + expected);
        }
    }

    /** Every replica up, applied as far as its group's log goes, with an empty outbox. */
    boolean drained() {
        for (List<Replica> group : replicas) {
            long last = -1;
            for (Replica replica : group) {
                if (!replica.isServing()) {
                    return false;
                }
                long applied = replica.runtime.status().appliedIndex();
                if (last >= 0 && applied != last || applied != replica.runtime.status().lastLogId().index()
                        || replica.machine.status().depth() != 0) {
                    return false;
                }
                last = applied;
            }
        }
        return true;
    }

    private void finalChecks() {
        long total = 0;
        for (int g = 1; g <= groupCount; g++) {
            BankMachine bank = replicas.get(g - 1).get(0).bank;
            total += bank.total();
            for (int t = 1; t <= groupCount; t++) {
                BankMachine target = replicas.get(t - 1).get(0).bank;
                if (target.messagesReceivedFrom(g) != bank.messagesSentTo(t)
                        || target.receivedFrom(g) != bank.sentTo(t)) {
                    throw new AssertionError("seed " + seed + ": group " + t + " received " + target.messagesReceivedFrom(g)
                            + " messages from group " + g + ", which sent " + bank.messagesSentTo(t));
                }
            }
            for (Replica replica : replicas.get(g - 1)) {
                if (replica.bank.total() != bank.total()) {
                    throw new AssertionError("seed " + seed + ": replicas of group " + g + " disagree");
                }
            }
        }
        if (total != groupCount * ACCOUNTS * INITIAL) {
            throw new AssertionError("seed " + seed + ": " + total + " after draining instead of "
                    + groupCount * ACCOUNTS * INITIAL);
        }
    }

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

    Replica replica(long group, long host) {
        return replicas.get((int) group - 1).get((int) host - 1);
    }

    private void startHost(int host) {
        for (List<Replica> group : replicas) {
            group.get(host - 1).start();
        }
        hostUp[host] = true;
        restartAt[host] = -1;
    }

    void crashHost(int host, SimDisk.CrashMode mode) {
        for (List<Replica> group : replicas) {
            Replica replica = group.get(host - 1);
            if (replica.runtime != null) {
                replica.crash(mode);
            }
        }
        hostUp[host] = false;
        restartAt[host] = -1;
        crashes++;
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

    long steps() {
        return steps;
    }

    long traceHash() {
        return trace.value();
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        for (List<Replica> group : replicas) {
            for (Replica replica : group) {
                s.append("\n  group ").append(replica.group).append(" host ").append(replica.host).append(": ");
                s.append(replica.runtime == null ? "down" : replica.runtime.engine() + " outbox "
                        + replica.machine.status().depthPerTarget() + " applied "
                        + replica.runtime.status().appliedIndex() + " membership "
                        + replica.runtime.status().membership() + " snapshot "
                        + replica.runtime.status().snapshotIndex() + " purged " + replica.runtime.status().purgedIndex()
                        + " ringEntries " + replica.runtime.status().ringEntries()
                        + (replica.runtime.status().followers().isEmpty() ? ""
                        : " followers " + replica.runtime.status().followers()));
            }
        }
        return s.toString();
    }
}
