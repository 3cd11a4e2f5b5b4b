package io.ringraft.internal.engine.harness;

import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineConfig;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.message.RaftMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A deterministic multi-engine harness: N {@link HarnessNode}s (ids 1..N), a {@link HarnessNetwork}, an
 * {@link InvariantChecker} run after every event, and one seeded {@link SplittableRandom} that
 * drives every random choice, so a seed reproduces a run exactly.
 *
 * <p>Two ways to drive it:
 * <ul>
 *   <li><b>scripted</b>: {@link #tick}, {@link #deliver}, {@link #flush}, {@link #stabilize} (deliver
 *       and flush until quiet, no ticks), {@link #round} (tick every node, then stabilize);
 *   <li><b>randomized</b>: {@link #step} picks one event at random (deliver a random in-flight
 *       message, flush a random node, tick a random node), with the network's fault rates applied;
 *       {@link #runUntil} repeats it until a condition holds.
 * </ul>
 */
public final class Cluster {

    final long seed;
    private final SplittableRandom random;
    private final HarnessNode[] nodes;
    private final List<HarnessNode> nodeList;
    private final HarnessNetwork network;
    final InvariantChecker checker;
    private final EngineConfig config;
    private long payloadCounter;
    private List<RaftMessage> sentLog;
    private long traceHash = 17;

    /** Randomized step weights. */
    private double deliverWeight = 0.70;
    private double flushWeight = 0.15;
    /** Of the flushes, the share that makes only a prefix of the pending changes durable. */
    private double partialFlushRate = 0.25;
    /** Share of entry reads that return fewer entries than asked (as a byte budget would). */
    private double shortReadRate;

    private Cluster(Builder b) {
        this.seed = b.seed;
        this.random = new SplittableRandom(b.seed);
        long[] voters = new long[b.size];
        for (int i = 0; i < b.size; i++) {
            voters[i] = i + 1;
        }
        this.config = new EngineConfig(1, voters, b.electionTimeout, b.heartbeat, b.preVote, b.checkQuorum,
                b.maxInflight, b.maxEntries).withQuiesceAfterTicks(b.quiesceAfter);
        this.network = new HarnessNetwork(b.size);
        this.checker = new InvariantChecker(this, b.size);
        this.nodes = new HarnessNode[b.size];
        for (int i = 0; i < b.size; i++) {
            nodes[i] = new HarnessNode(i + 1, this, config.forNode(i + 1));
        }
        this.nodeList = List.of(nodes);
    }

    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Builds a cluster; every setting has a default (preVote and checkQuorum on, ET 10, heartbeat 1). */
    public static final class Builder {
        private final int size;
        private long seed = 1;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private int electionTimeout = 10;
        private int heartbeat = 1;
        private int maxInflight = 4;
        private int maxEntries = 16;
        private int quiesceAfter;

        private Builder(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("size " + size);
            }
            this.size = size;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder preVote(boolean on) {
            this.preVote = on;
            return this;
        }

        public Builder checkQuorum(boolean on) {
            this.checkQuorum = on;
            return this;
        }

        public Builder electionTimeout(int ticks) {
            this.electionTimeout = ticks;
            return this;
        }

        public Builder heartbeat(int ticks) {
            this.heartbeat = ticks;
            return this;
        }

        public Builder maxInflight(int window) {
            this.maxInflight = window;
            return this;
        }

        public Builder maxEntries(int batch) {
            this.maxEntries = batch;
            return this;
        }

        /** Idle ticks after which a leader quiesces its group (0, the default: never). */
        public Builder quiesceAfter(int ticks) {
            this.quiesceAfter = ticks;
            return this;
        }

        public Cluster build() {
            return new Cluster(this);
        }
    }

    // ------------------------------------------------------------------ access

    public long seed() {
        return seed;
    }

    public SplittableRandom random() {
        return random;
    }

    public EngineConfig config() {
        return config;
    }

    public int size() {
        return nodes.length;
    }

    public List<HarnessNode> nodes() {
        return nodeList;
    }

    public HarnessNode node(long id) {
        return nodes[(int) id - 1];
    }

    public RaftEngine engine(long id) {
        return node(id).engine();
    }

    public HarnessNetwork network() {
        return network;
    }

    public InvariantChecker checker() {
        return checker;
    }

    /** A rolling hash of every event and its outcome, for determinism self-checks. */
    public long traceHash() {
        return traceHash;
    }

    public Cluster stepWeights(double deliver, double flush, double partialFlush) {
        this.deliverWeight = deliver;
        this.flushWeight = flush;
        this.partialFlushRate = partialFlush;
        return this;
    }

    /** Makes a share of the leaders' entry reads return fewer entries than asked (at least one). */
    public Cluster shortReads(double rate) {
        this.shortReadRate = rate;
        return this;
    }

    int readCount(int wanted) {
        return shortReadRate > 0 && wanted > 1 && random.nextDouble() < shortReadRate ? 1 + random.nextInt(wanted)
                : wanted;
    }

    // ------------------------------------------------------------------ queries

    /** Ids of the running nodes that believe they lead (any term). */
    public List<Long> leaders() {
        List<Long> out = new ArrayList<>();
        for (HarnessNode node : nodes) {
            if (node.isLeader()) {
                out.add(node.id);
            }
        }
        return out;
    }

    /** The leader of the highest term among running nodes, or 0. */
    public long leader() {
        long best = 0;
        long bestTerm = -1;
        for (HarnessNode node : nodes) {
            if (node.isLeader() && node.engine().term() > bestTerm) {
                best = node.id;
                bestTerm = node.engine().term();
            }
        }
        return best;
    }

    /**
     * The leader that every running node in {@code group} follows in one term, or 0: a leader
     * that the group agrees on (the leader itself included in the group).
     */
    public long agreedLeader(List<Long> group) {
        long leader = 0;
        long term = -1;
        for (long id : group) {
            HarnessNode node = node(id);
            if (!node.isUp()) {
                return 0;
            }
            RaftEngine engine = node.engine();
            if (term == -1) {
                term = engine.term();
                leader = engine.leaderId();
            }
            if (engine.term() != term || engine.leaderId() != leader || leader == 0) {
                return 0;
            }
        }
        return group.contains(leader) && node(leader).isLeader() ? leader : 0;
    }

    public List<Long> upIds() {
        List<Long> out = new ArrayList<>();
        for (HarnessNode node : nodes) {
            if (node.isUp()) {
                out.add(node.id);
            }
        }
        return out;
    }

    public List<Long> allIds() {
        List<Long> out = new ArrayList<>();
        for (HarnessNode node : nodes) {
            out.add(node.id);
        }
        return out;
    }

    public boolean isUp(long id) {
        return node(id).isUp();
    }

    public long maxTerm() {
        long max = 0;
        for (HarnessNode node : nodes) {
            if (node.isUp()) {
                max = Math.max(max, node.engine().term());
            }
        }
        return max;
    }

    // ------------------------------------------------------------------ events

    private void mix(long value) {
        traceHash = traceHash * 1_000_003L ^ value;
    }

    private void afterEvent() {
        checker.afterEvent();
    }

    public void tick(long id) {
        mix(1_000 + id);
        RaftEngine engine = node(id).engine();
        int idle = engine.idleTicks();
        Role role = engine.role();
        long term = engine.term();
        long leader = engine.leaderId();
        engine.tick();
        if (idle > 0) {
            checkIdleTick(id, engine, idle, role, term, leader);
        }
        node(id).runEffects();
        afterEvent();
    }

    /**
     * A tick the engine said would only count ({@link RaftEngine#idleTicks()}) did nothing else, and
     * the count went down by one: the runtime's parked core relies on both.
     */
    private static void checkIdleTick(long id, RaftEngine engine, int idle, Role role, long term, long leader) {
        if (!engine.effects().list().isEmpty() || engine.role() != role || engine.term() != term
                || engine.leaderId() != leader) {
            throw new AssertionError("node " + id + " said " + idle + " idle ticks were coming, but its next tick "
                    + "acted: effects " + engine.effects().list() + ", role " + role + " -> " + engine.role()
                    + ", term " + term + " -> " + engine.term());
        }
        int after = engine.idleTicks();
        if (idle != Integer.MAX_VALUE && after != idle - 1) {
            throw new AssertionError("node " + id + " had " + idle + " idle ticks ahead, and " + after
                    + " (not " + (idle - 1) + ") after one of them");
        }
    }

    /** Ticks every running node once, in id order. */
    public void tickAll() {
        for (HarnessNode node : nodes) {
            if (node.isUp()) {
                tick(node.id);
            }
        }
    }

    /** Ticks node {@code id} {@code n} times, delivering nothing. */
    public void tick(long id, int n) {
        for (int i = 0; i < n; i++) {
            tick(id);
        }
    }

    /** Makes all pending storage changes of node {@code id} durable; false if nothing was pending. */
    public boolean flush(long id) {
        return flushPrefix(id, Integer.MAX_VALUE);
    }

    /** Makes the first {@code ops} pending changes durable (partial durability). */
    public boolean flushPrefix(long id, int ops) {
        HarnessNode node = node(id);
        if (!node.isUp() || node.pendingOps() == 0) {
            return false;
        }
        mix(2_000 + id * 31 + Math.min(ops, node.pendingOps()));
        node.flush(ops);
        afterEvent();
        return true;
    }

    /** Flushes every running node; returns true if anything was pending. */
    public boolean flushAll() {
        boolean any = false;
        for (HarnessNode node : nodes) {
            any |= flush(node.id);
        }
        return any;
    }

    /**
     * Delivers one in-flight message (removing it from flight). It is lost instead if its link is
     * cut or its receiver is crashed. Returns true if it reached a running engine.
     */
    public boolean deliver(HarnessNetwork.Envelope envelope) {
        if (!network.remove(envelope)) {
            throw new IllegalArgumentException("not in flight: " + envelope);
        }
        return deliverRemoved(envelope.message());
    }

    private boolean deliverRemoved(RaftMessage message) {
        mix(message.toString().hashCode());
        HarnessNode to = node(message.to());
        if (!network.linked(message.from(), message.to()) || !to.isUp()) {
            network.stats().lost++;
            afterEvent();
            return false;
        }
        network.stats().delivered(message);
        to.engine().receive(message);
        to.runEffects();
        afterEvent();
        return true;
    }

    /** Delivers a message directly, as if it had just arrived (tests use it to inject stale or crafted traffic). */
    public boolean inject(RaftMessage message) {
        return deliverRemoved(message);
    }

    /** Delivers the oldest in-flight message matching {@code filter}; false if there is none. */
    public boolean deliverFirst(Predicate<RaftMessage> filter) {
        List<HarnessNetwork.Envelope> matching = network.matching(filter);
        if (matching.isEmpty()) {
            return false;
        }
        deliver(matching.get(0));
        return true;
    }

    /** Delivers every in-flight message matching {@code filter}, oldest first, including ones sent meanwhile. */
    public int deliverAll(Predicate<RaftMessage> filter) {
        int n = 0;
        while (deliverFirst(filter)) {
            if (++n > 1_000_000) {
                throw new IllegalStateException("deliverAll does not quiesce");
            }
        }
        return n;
    }

    /** Delivers every in-flight message, oldest first, until none is left (no flushes, no ticks). */
    public int deliverAll() {
        return deliverAll(m -> true);
    }

    /**
     * Delivers and flushes until nothing is in flight and nothing is pending (no ticks, so no timers
     * fire): the synchronous model of a fast, reliable network and disk.
     */
    public void stabilize() {
        for (int rounds = 0; ; rounds++) {
            if (rounds > 100_000) {
                throw new IllegalStateException("stabilize does not quiesce\n" + dump());
            }
            boolean flushed = flushAll();
            int delivered = deliverAll();
            if (!flushed && delivered == 0) {
                return;
            }
        }
    }

    /** One unit of time in the synchronous model: tick every running node, then stabilize. */
    public void round() {
        tickAll();
        stabilize();
    }

    public void rounds(int n) {
        for (int i = 0; i < n; i++) {
            round();
        }
    }

    /** Runs rounds until {@code condition} holds; returns the number of rounds, or -1 after {@code max}. */
    public int roundsUntil(BooleanSupplier condition, int max) {
        for (int i = 0; i <= max; i++) {
            if (condition.getAsBoolean()) {
                return i;
            }
            if (i < max) {
                round();
            }
        }
        return -1;
    }

    /**
     * One randomized event: deliver a random in-flight message (or drop or replay it, by the
     * network's fault rates), flush a random node (sometimes only a prefix), or tick a random node.
     *
     * <p>The network's capacity is bounded like a real one's latency: while more messages are in
     * flight than {@link #backlogLimit()}, the step always delivers. Without that, heartbeats of a
     * five-node cluster can be produced faster than random steps deliver them, the backlog (and so
     * every message's delay) grows without bound, and no Raft implementation could stay live.
     */
    public void step() {
        double r = random.nextDouble();
        if (network.inFlightCount() > backlogLimit()) {
            r = 0;
        }
        if (r < deliverWeight) {
            int i = network.pickRandom(checker.events(), random);
            if (i >= 0) {
                HarnessNetwork.Envelope envelope = network.removeAt(i);
                if (network.dropRate > 0 && random.nextDouble() < network.dropRate) {
                    network.stats().lost++;
                    mix(-envelope.id());
                    afterEvent();
                    return;
                }
                if (network.duplicateRate > 0 && random.nextDouble() < network.duplicateRate) {
                    network.replay(envelope.message());
                }
                deliverRemoved(envelope.message());
                return;
            }
        }
        if (r < deliverWeight + flushWeight) {
            List<HarnessNode> dirty = new ArrayList<>();
            for (HarnessNode node : nodes) {
                if (node.isUp() && node.pendingOps() > 0) {
                    dirty.add(node);
                }
            }
            if (!dirty.isEmpty()) {
                HarnessNode node = dirty.get(random.nextInt(dirty.size()));
                int ops = random.nextDouble() < partialFlushRate ? 1 + random.nextInt(node.pendingOps())
                        : Integer.MAX_VALUE;
                flushPrefix(node.id, ops);
                return;
            }
        }
        List<Long> up = upIds();
        if (!up.isEmpty()) {
            tick(up.get(random.nextInt(up.size())));
        }
    }

    /** In-flight messages above which a random step always delivers: 4 per directed link. */
    public int backlogLimit() {
        return 4 * nodes.length * (nodes.length - 1);
    }

    public void steps(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    /** Runs random steps until {@code condition} holds; returns the steps taken, or -1 after {@code maxSteps}. */
    public int runUntil(BooleanSupplier condition, int maxSteps) {
        for (int i = 0; i <= maxSteps; i++) {
            if (condition.getAsBoolean()) {
                return i;
            }
            if (i < maxSteps) {
                step();
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ client operations

    /** A unique payload. */
    public String nextPayload() {
        return "v" + (++payloadCounter);
    }

    /** Proposes the given payloads on node {@code id}; returns the first index, or -1 if it does not lead. */
    public long propose(long id, String... payloads) {
        HarnessNode node = node(id);
        if (!node.isUp()) {
            return -1;
        }
        node.setProposal(List.of(payloads));
        mix(3_000 + id);
        long index = node.engine().nextProposalIndex();
        if (index > 0) {
            node.engine().propose(payloads.length);
            node.runEffects();
        }
        node.setProposal(null);
        afterEvent();
        return index;
    }

    /** Proposes {@code count} fresh payloads on {@code id}. */
    public long proposeNew(long id, int count) {
        String[] payloads = new String[count];
        for (int i = 0; i < count; i++) {
            payloads[i] = nextPayload();
        }
        return propose(id, payloads);
    }

    /** Campaigns on node {@code id} now. */
    public void campaign(long id) {
        mix(4_000 + id);
        node(id).engine().campaign();
        node(id).runEffects();
        afterEvent();
    }

    /** Node {@code id}'s host reports node {@code lost}'s process unreachable (quiescence). */
    public void peerUnreachable(long id, long lost) {
        mix(7_000 + id * 31 + lost);
        node(id).engine().peerUnreachable(lost);
        node(id).runEffects();
        afterEvent();
    }

    // ------------------------------------------------------------------ faults

    /** Crashes {@code id}, losing everything not durable. */
    public void crash(long id) {
        crash(id, 0);
    }

    /** Crashes {@code id} after silently persisting its first {@code persistOps} pending changes. */
    public void crash(long id, int persistOps) {
        mix(5_000 + id);
        node(id).crash(persistOps);
        afterEvent();
    }

    /** Crashes {@code id}, persisting a random prefix of its pending changes. */
    public void crashRandomly(long id) {
        HarnessNode node = node(id);
        crash(id, random.nextInt(node.pendingOps() + 1));
    }

    public void restart(long id) {
        mix(6_000 + id);
        node(id).restart();
        afterEvent();
    }

    /** Starts recording every message sent from now on (see {@link #sent}). */
    public Cluster recordSent() {
        sentLog = new ArrayList<>();
        return this;
    }

    /** The messages sent since {@link #recordSent()} matching {@code filter}, in order. */
    public <M extends RaftMessage> List<M> sent(Class<M> type, Predicate<M> filter) {
        List<M> out = new ArrayList<>();
        for (RaftMessage m : sentLog) {
            if (type.isInstance(m) && filter.test(type.cast(m))) {
                out.add(type.cast(m));
            }
        }
        return out;
    }

    void onSend(HarnessNode from, RaftMessage message) {
        checker.onSend(from, message);
        if (sentLog != null) {
            sentLog.add(message);
        }
        network.enqueue(message, checker.events(), random);
    }

    // ------------------------------------------------------------------ reporting

    /** True if every running node has committed its whole log and all logs are equal. */
    public boolean converged() {
        List<SimEntry> reference = null;
        for (HarnessNode node : nodes) {
            if (!node.isUp()) {
                continue;
            }
            if (node.engine().commitIndex() != node.log().size()) {
                return false;
            }
            if (reference == null) {
                reference = node.log();
            } else if (!reference.equals(node.log())) {
                return false;
            }
        }
        return reference != null;
    }

    public String dump() {
        StringBuilder s = new StringBuilder("cluster seed=").append(seed).append(" events=")
                .append(checker.events()).append(" inFlight=").append(network.inFlightCount())
                .append(" links=").append(network.isHealed() ? "healed" : "partitioned")
                .append(" net{").append(network.stats()).append("}\n");
        for (HarnessNode node : nodes) {
            s.append("  ").append(node).append('\n');
        }
        List<SimEntry> committed = checker.committedLog();
        s.append("  committed=").append(committed.size()).append(' ').append(HarnessNode.summarize(committed)).append('\n');
        return s.toString();
    }

    @Override
    public String toString() {
        return "Cluster" + Arrays.toString(nodes);
    }

    /** Role of every node, for messages. */
    public String roles() {
        StringBuilder s = new StringBuilder();
        for (HarnessNode node : nodes) {
            Role role = node.role();
            s.append(node.id).append('=').append(role == null ? "DOWN" : role + "/T" + node.engine().term()).append(' ');
        }
        return s.toString().trim();
    }
}
