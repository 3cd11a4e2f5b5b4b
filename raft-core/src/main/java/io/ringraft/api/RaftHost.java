package io.ringraft.api;

import io.ringraft.internal.host.HostThreads;
import io.ringraft.internal.runtime.HostedPlacement;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.RaftMetrics;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.SnapshotStoreFactory;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many Raft groups in one process: the host runs every group's tasks on a fixed set of shared threads
 * and charges every group's memory to one budget. One host per process (per node id): each group it
 * holds is a member of that group with the host's node id, and a group's membership names hosts.
 *
 * <pre>{@code
 * RaftHost host = RaftHost.builder()
 *         .nodeId(1)
 *         .transport(nettyTransport)                       // shared by every group
 *         .logStorage(sharedLog.asFactory())               // or a factory of a log per group
 *         .memoryBudgetBytes(2L << 30)
 *         .build();                                        // threads start here
 * RaftNode orders = host.createGroup(17, Set.of(1L, 2L, 3L), new OrdersStateMachine());
 * orders.propose(command);                                 // the same RaftNode API as a standalone node
 * ...
 * host.close();                                            // closes every group, then the threads
 * }</pre>
 *
 * <p><b>Threads.</b> {@code workers} threads (default: the number of cores) run the groups' CPU tasks
 * (core, applier, replicators); {@code ioThreads} (default 1) run their log writers and snapshot tasks,
 * so a slow {@code fsync} never stalls another group's core. Each group belongs to one worker and one IO
 * thread; each gets one bounded duty cycle per round, so a busy group cannot starve the others. The
 * thread count never depends on the number of groups. State machines, listeners and futures of a group
 * run on its worker: a slow {@code apply} delays the other groups of that worker, so keep them quick.
 *
 * <p><b>Time.</b> One timer per worker: every group that wants ticks gets a duty cycle each tick; a
 * quiesced group (idle, every follower caught up) wants none and costs nothing until a proposal, read
 * or message wakes it.
 *
 * <p><b>Memory.</b> Every group reserves its {@link RaftConfig#reservedBytes()} (ring, queues, tables)
 * when it is created; the host refuses a group that would take the sum over
 * {@link Builder#memoryBudgetBytes} with a {@link RejectedException}. A group's proposals are bounded
 * by its own ring and queues, inside what it reserved: beyond them they are refused with
 * {@link RejectedException} too. Groups default to {@link RaftConfig#hostDefaults()}, sized for many
 * groups.
 *
 * <p><b>Network.</b> Every group's messages go through the host's transport; heartbeats and their
 * answers to one peer process leave as one batch per duty cycle ({@link Builder#coalesceHeartbeats}), as
 * do the answers to appends ({@link Builder#batchAnswers}); a peer process not heard from for an election
 * timeout is reported lost to every group.
 *
 * <p><b>Leadership.</b> Groups elect their leaders independently, so one host may end up leading most of
 * them; {@link Builder#balanceLeaders} moves leadership until each host leads about its share.
 * {@link #status()} reports how many groups this host leads.
 *
 * <p><b>Restart.</b> The host does not remember its groups: the application re-creates them after a
 * restart, as it created them, with {@link #createGroup}; each recovers its log and snapshots from the
 * storage its factories give for its id (a log or snapshot holding a newer membership overrides the one
 * passed). To learn which groups a host's storage holds, ask the log storage factory
 * ({@link LogStorageFactory#groupsFound()}); the application must still supply each group's state machine.
 *
 * <p><b>Thread-safety.</b> Every method is thread-safe; groups can be created and removed while the
 * host runs. Do not create, remove or close groups from a group's own callbacks (its state machine,
 * listeners or future callbacks): they run on a host thread, and closing a group from its own thread
 * is refused with {@link IllegalStateException}.
 */
public final class RaftHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RaftHost.class);

    private final long nodeId;
    private final RaftTransportFactory transport;
    private final LogStorageFactory logs;
    private final SnapshotStoreFactory snapshots;
    private final RaftConfig groupConfig;
    private final long budgetBytes;
    private final int maxGroups;
    private final LongFunction<RaftMetrics> metrics;
    private final FailStopHandler failStopHandler;
    /** Closed after the groups and threads, last registered first. */
    private final List<AutoCloseable> closeAfter;
    private final HostThreads threads;
    /** The transport the groups connect through: the application's, or a host link over it. */
    private final RaftTransportFactory groupTransport;
    /** Coalesces heartbeats and watches peer processes; null when coalescing is off. */
    private final io.ringraft.internal.host.link.HostLink link;
    private final AtomicLong reservedBytes = new AtomicLong();
    /** The groups, and a placeholder for each one being created (so an id is created once). */
    private final ConcurrentHashMap<Long, Group> groups = new ConcurrentHashMap<>();
    private final SecureRandom seeds = new SecureRandom();
    private volatile boolean closed;

    /** A group of this host: its node, its placement and what it reserved (released once). */
    private static final class Group {
        final long id;
        final long bytes;
        final AtomicBoolean released = new AtomicBoolean();
        volatile RaftNode node;

        Group(long id, long bytes) {
            this.id = id;
            this.bytes = bytes;
        }
    }

    /** Told by the host link when a peer process goes silent or is heard again (on the first worker). */
    private final class PeerWatch implements io.ringraft.internal.host.link.PeerListener {
        @Override
        public void peerLost(long peer) {
            LOG.warn("host {}: nothing heard from host {} for an election timeout; waking the groups it shares",
                    nodeId, peer);
            for (Group group : groups.values()) {
                RaftNode node = group.node;
                if (node != null) {
                    node.peerUnreachable(peer);
                }
            }
        }

        @Override
        public void peerReturned(long peer) {
            LOG.info("host {}: host {} is heard from again", nodeId, peer);
        }
    }

    private RaftHost(Builder b) {
        this.nodeId = b.nodeId;
        this.transport = b.transport;
        this.logs = b.logs;
        this.snapshots = b.snapshots;
        this.groupConfig = b.groupConfig;
        this.budgetBytes = b.budgetBytes;
        this.maxGroups = b.maxGroups;
        this.metrics = b.metrics;
        this.failStopHandler = b.failStopHandler;
        this.closeAfter = List.copyOf(b.closeAfter);
        long tickNanos = groupConfig.tickMillis() * 1_000_000L;
        // The link first: it registers this node id with the transport, which refuses one taken already
        // (another host with the same id), before any thread starts.
        io.ringraft.internal.host.link.HostLink connected = null;
        if (b.coalesceHeartbeats) {
            try {
                connected = new io.ringraft.internal.host.link.HostLink(b.transport, nodeId,
                        io.ringraft.internal.host.link.LinkSettings.defaults().withTiming(
                                groupConfig.heartbeatIntervalMillis() * 1_000_000L,
                                groupConfig.electionTimeoutMillis() * 1_000_000L)
                                .withEveryAnswerBatched(b.batchAnswers),
                        new PeerWatch());
            } catch (IllegalStateException e) {
                throw new IllegalStateException("host node id " + nodeId + " is already connected to "
                        + b.transport + ": is another RaftHost with that node id running on it? (" + e.getMessage()
                        + ")", e);
            }
        }
        io.ringraft.internal.host.link.HostLink hostLink = connected;
        this.threads = new HostThreads(nodeId, b.workers, b.ioThreads, b.maxGroups, System::nanoTime, tickNanos);
        if (hostLink != null) {
            this.link = hostLink;
            this.groupTransport = hostLink;
            threads.afterEveryRound(hostLink::flush);
            // Keep-alives and liveness checks twice per heartbeat interval, even when every group is quiet.
            threads.addPeriodic(() -> {
                long now = System.nanoTime();
                hostLink.flush();
                hostLink.keepAlive(now);
                hostLink.checkPeers(now);
            }, Math.max(tickNanos, groupConfig.heartbeatIntervalMillis() * 500_000L));
        } else {
            this.link = null;
            this.groupTransport = b.transport;
        }
        if (b.balancePeriodMillis > 0) {
            threads.addPeriodic(new io.ringraft.internal.host.LeaderBalancer(nodeId, this::groups),
                    b.balancePeriodMillis * 1_000_000L);
        }
        LOG.info("host {} started: {} workers, {} IO threads, memory budget {} bytes, at most {} groups",
                nodeId, b.workers, b.ioThreads, budgetBytes, maxGroups);
    }

    /** {@return a new builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates and starts group {@code groupId} with the host's default group configuration.
     *
     * @param groupId      the group's id: not negative, not held by this host already
     * @param voters       the group's voters (host node ids), including this host's
     * @param stateMachine the group's state machine
     * @return the group's member, started
     * @see #createGroup(long, Set, StateMachine, RaftConfig)
     */
    public RaftNode createGroup(long groupId, Set<Long> voters, StateMachine stateMachine) {
        return newGroup(groupId).voters(voters).stateMachine(stateMachine).create();
    }

    /**
     * Creates and starts group {@code groupId}: this host's member of it, with the node id of the host.
     * The group's log and snapshots come from the host's factories for its id; if they hold the group's
     * earlier state, the member recovers it (a restart).
     *
     * @param groupId      the group's id: not negative, not held by this host already
     * @param voters       the group's voters (host node ids), including this host's
     * @param stateMachine the group's state machine
     * @param config       the group's configuration (its tick must be the host's, {@link Builder#groupConfig})
     * @return the group's member, started
     * @throws RejectedException        if the group does not fit the memory budget or the host holds
     *                                  {@code maxGroups} groups already
     * @throws IllegalArgumentException if the id is taken or invalid, or the membership or configuration is
     * @throws IllegalStateException    if the host is closed
     * @throws UncheckedIOException     if the group's storage cannot be created or recovered
     */
    public RaftNode createGroup(long groupId, Set<Long> voters, StateMachine stateMachine, RaftConfig config) {
        return newGroup(groupId).voters(voters).stateMachine(stateMachine).config(config).create();
    }

    /**
     * Starts describing a group to create, for the settings {@link #createGroup} does not take (a
     * listener, joining a running group, metrics).
     *
     * @param groupId the group's id
     * @return a builder whose {@link GroupBuilder#create()} creates and starts the group
     */
    public GroupBuilder newGroup(long groupId) {
        return new GroupBuilder(groupId);
    }

    private RaftNode create(GroupBuilder spec) {
        if (closed) {
            throw new IllegalStateException("host " + nodeId + " is closed");
        }
        long groupId = spec.groupId;
        if (groupId < 0) {
            throw new IllegalArgumentException("group ids are not negative, got " + groupId);
        }
        Objects.requireNonNull(spec.voters, "voters are required");
        Objects.requireNonNull(spec.stateMachine, "a state machine is required");
        RaftConfig config = spec.config == null ? groupConfig : spec.config;
        if (config.tickMillis() != groupConfig.tickMillis()) {
            throw new IllegalArgumentException("group " + groupId + " ticks every " + config.tickMillis()
                    + " ms, but the host's timer ticks every " + groupConfig.tickMillis() + " ms; use the host's tick");
        }
        long bytes = config.reservedBytes();
        Group group = new Group(groupId, bytes);
        if (groups.putIfAbsent(groupId, group) != null) {
            throw new IllegalArgumentException("host " + nodeId + " already holds group " + groupId);
        }
        if (groups.size() > maxGroups) {
            groups.remove(groupId, group);
            throw new RejectedException("host " + nodeId + " holds its maximum of " + maxGroups
                    + " groups; group " + groupId + " is refused (raise RaftHost.Builder.maxGroups)");
        }
        long total = reservedBytes.addAndGet(bytes);
        if (total > budgetBytes) {
            reservedBytes.addAndGet(-bytes);
            groups.remove(groupId, group);
            throw new RejectedException("group " + groupId + " does not fit host " + nodeId + "'s memory budget: it "
                    + "reserves " + bytes + " bytes (RaftConfig.reservedBytes()), and the host's " + groups.size()
                    + " groups reserve " + (total - bytes) + " of " + budgetBytes + " bytes; raise "
                    + "memoryBudgetBytes, remove groups, or give groups smaller rings and queues");
        }
        HostedPlacement placement = threads.place(groupId, () -> release(group));
        LogStorage storage = null;
        SnapshotStore store = null;
        RaftNode node = null;
        try {
            storage = logs.create(groupId);
            store = snapshots == null ? null : snapshots.create(groupId);
            RaftNode.Builder builder = RaftNode.builder()
                    .groupId(groupId)
                    .nodeId(nodeId)
                    .voters(spec.voters.stream().mapToLong(Long::longValue).toArray())
                    .config(config)
                    .stateMachine(spec.stateMachine)
                    .logStorage(storage)
                    .snapshotStore(store)
                    .transport(groupTransport)
                    .proposalListener(spec.listener)
                    .stateListener(spec.stateListener)
                    .onFailStop(failStopHandler)
                    .joining(spec.joining)
                    .metrics(spec.metrics != null ? spec.metrics : metrics.apply(groupId))
                    .randomSeed(spec.seed != null ? spec.seed : seeds.nextLong())
                    .hostedBy(placement);
            node = builder.build(); // the node owns storage and store now, and closes them
            RaftNode built = node;
            HostThreads.ticksWanted(placement, () -> !built.isQuiesced());
            group.node = node;
            node.start();
            if (closed) {
                node.close(); // the host closed meanwhile and may have missed this group
                throw new IllegalStateException("host " + nodeId + " closed while group " + groupId + " was created");
            }
            return node;
        } catch (IOException e) {
            fail(group, placement, node, node == null ? storage : null, node == null ? store : null);
            throw new UncheckedIOException("group " + groupId + "'s storage cannot be created: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // Before build() returned, storage may be unopened or closed already by a failed recovery:
            // closing it (again) releases it either way.
            fail(group, placement, node, node == null ? storage : null, node == null ? store : null);
            throw e;
        }
    }

    private void fail(Group group, HostedPlacement placement, RaftNode node, LogStorage storage, SnapshotStore store) {
        if (node != null) {
            try {
                node.close();
            } catch (RuntimeException e) {
                LOG.warn("closing group {} after its failed creation failed", group.id, e);
            }
        }
        for (AutoCloseable closeable : new AutoCloseable[] {storage, store}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("closing the storage of group {} after its failed creation failed", group.id, e);
                }
            }
        }
        HostThreads.abandon(placement);
        release(group);
    }

    /** The group stopped for good (closed by the host or by its owner): forget it, free its memory. */
    private void release(Group group) {
        if (group.released.compareAndSet(false, true)) {
            groups.remove(group.id, group);
            reservedBytes.addAndGet(-group.bytes);
        }
    }

    /**
     * {@return this host's member of group {@code groupId}, if the host holds it (a group still being
     * created is not shown)}
     *
     * @param groupId the group
     */
    public Optional<RaftNode> group(long groupId) {
        Group group = groups.get(groupId);
        return group == null ? Optional.empty() : Optional.ofNullable(group.node);
    }

    /** {@return the groups this host holds now, in no order (a copy)} */
    public List<RaftNode> groups() {
        List<RaftNode> nodes = new ArrayList<>(groups.size());
        for (Group group : groups.values()) {
            RaftNode node = group.node;
            if (node != null) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    /** {@return the ids of the groups this host holds now, sorted (a copy)} */
    public Set<Long> groupIds() {
        return Collections.unmodifiableSet(new TreeSet<>(groups.keySet()));
    }

    /**
     * Removes group {@code groupId} from this host: stops its member (pending requests fail as when a node
     * closes) and frees its memory; its data stays, so creating the group again recovers it.
     *
     * @param groupId the group
     * @return false if the host does not hold the group
     */
    public boolean removeGroup(long groupId) {
        return removeGroup(groupId, false);
    }

    /**
     * Removes group {@code groupId} from this host, as {@link #removeGroup(long)}, and with
     * {@code deleteData} deletes its log and snapshots through the factories. Remove a group's member
     * from the group's membership first if the other members go on.
     *
     * @param groupId    the group
     * @param deleteData whether to delete the group's stored data too
     * @return false if the host does not hold the group
     * @throws UncheckedIOException          if deleting the data fails (the group is removed)
     * @throws UnsupportedOperationException if a factory cannot delete (the group is removed)
     */
    public boolean removeGroup(long groupId, boolean deleteData) {
        Group group = groups.get(groupId);
        if (group == null || group.node == null) {
            return false;
        }
        group.node.close();
        release(group);
        if (deleteData) {
            try {
                logs.delete(groupId);
                if (snapshots != null) {
                    snapshots.delete(groupId);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("group " + groupId + " was removed, but deleting its data failed: "
                        + e.getMessage(), e);
            }
        }
        return true;
    }

    /**
     * A snapshot of the host: its groups, how many it leads, its threads and its memory. Any thread;
     * reads each group's leadership flag (no lock).
     *
     * @return the host's status now
     */
    public HostStatus status() {
        int count = 0;
        int leaders = 0;
        for (Group group : groups.values()) {
            RaftNode node = group.node;
            if (node != null) {
                count++;
                if (node.isLeader()) {
                    leaders++;
                }
            }
        }
        return new HostStatus(nodeId, count, leaders, threads.workerCount(), threads.ioThreadCount(),
                reservedBytes.get(), budgetBytes, threads.turns(), threads.idleTurns(), threads.ioCycles(),
                threads.ioGroupWrites(), threads.taskRuns());
    }

    /** {@return this host's node id: the id of its member in every group it holds} */
    public long nodeId() {
        return nodeId;
    }

    /**
     * Closes every group (as {@link RaftNode#close()}: pending requests fail), stops the host's threads, then
     * closes what was registered with {@link Builder#closeAfter}. Storage and snapshot stores close with their
     * groups; the transport factory and the log storage factory are the application's to close (after this,
     * or by registering them with {@code closeAfter}). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Group group : groups.values()) {
            RaftNode node = group.node;
            if (node != null) {
                try {
                    node.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing group {} failed", group.id, e);
                }
                release(group);
            }
        }
        threads.close();
        if (link != null) {
            link.close();
        }
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            try {
                closeAfter.get(i).close();
            } catch (Exception e) {
                LOG.warn("host {}: closing {} failed", nodeId, closeAfter.get(i), e);
            }
        }
        LOG.info("host {} closed", nodeId);
    }

    /**
     * Describes a group to create on the host ({@link RaftHost#newGroup}). Not thread-safe; the settings
     * are those of {@link RaftNode.Builder}, with the node id, storage, transport and threads the host's.
     */
    public final class GroupBuilder {
        private final long groupId;
        private Set<Long> voters;
        private StateMachine stateMachine;
        private RaftConfig config;
        private ProposalListener listener;
        private StateListener stateListener;
        private boolean joining;
        private RaftMetrics metrics;
        private Long seed;

        private GroupBuilder(long groupId) {
            this.groupId = groupId;
        }

        /**
         * The voters the group starts with (required): host node ids, this host's among them unless joining.
         *
         * @param voters the voters
         * @return this builder
         */
        public GroupBuilder voters(Set<Long> voters) {
            this.voters = Set.copyOf(voters);
            return this;
        }

        /**
         * The group's state machine (this or the streaming form is required).
         *
         * @param stateMachine the state machine, called on the group's worker thread
         * @return this builder
         */
        public GroupBuilder stateMachine(StateMachine stateMachine) {
            this.stateMachine = stateMachine;
            return this;
        }

        /**
         * The group's state machine in streaming form ({@link RaftNode.Builder#streamingStateMachine}).
         *
         * @param stateMachine the state machine
         * @return this builder
         */
        public GroupBuilder streamingStateMachine(StreamingStateMachine stateMachine) {
            this.stateMachine = io.ringraft.internal.runtime.NodeRuntime.streaming(stateMachine);
            return this;
        }

        /**
         * The group's configuration (default: the host's {@link Builder#groupConfig}); its tick must be the host's.
         *
         * @param config the configuration
         * @return this builder
         */
        public GroupBuilder config(RaftConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Told the outcome of each {@code tryPropose} ({@link RaftNode.Builder#proposalListener}).
         *
         * @param listener the listener, called on the group's worker thread
         * @return this builder
         */
        public GroupBuilder proposalListener(ProposalListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Told about role, term and leader changes ({@link RaftNode.Builder#stateListener}).
         *
         * @param listener the listener, called on the group's worker thread
         * @return this builder
         */
        public GroupBuilder stateListener(StateListener listener) {
            this.stateListener = listener;
            return this;
        }

        /**
         * This host joins the running group as a new member ({@link RaftNode.Builder#joining}).
         *
         * @param joining whether the host joins a running group
         * @return this builder
         */
        public GroupBuilder joining(boolean joining) {
            this.joining = joining;
            return this;
        }

        /**
         * Where the group's measurements go (default: the host's metrics factory's for this group).
         *
         * @param metrics the group's metrics
         * @return this builder
         */
        public GroupBuilder metrics(RaftMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Seed of the group's election timer randomness (default: random).
         *
         * @param seed the seed
         * @return this builder
         */
        public GroupBuilder randomSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Creates and starts the group ({@link RaftHost#createGroup(long, Set, StateMachine, RaftConfig)}
         * says what is checked and thrown).
         *
         * @return the group's member on this host, started
         */
        public RaftNode create() {
            return RaftHost.this.create(this);
        }
    }

    /** Builds a {@link RaftHost}; {@link #build()} checks the settings and starts the host's threads. */
    public static final class Builder {
        private long nodeId;
        private RaftTransportFactory transport;
        private LogStorageFactory logs;
        private SnapshotStoreFactory snapshots;
        private RaftConfig groupConfig = RaftConfig.hostDefaults();
        private int workers = Runtime.getRuntime().availableProcessors();
        private int ioThreads = 1;
        private long budgetBytes = Runtime.getRuntime().maxMemory() / 2;
        private int maxGroups = 100_000;
        private LongFunction<RaftMetrics> metrics = groupId -> RaftMetrics.NONE;
        private FailStopHandler failStopHandler;
        private long balancePeriodMillis;
        private boolean coalesceHeartbeats = true;
        private boolean batchAnswers = true;
        private final List<AutoCloseable> closeAfter = new ArrayList<>();

        private Builder() {
        }

        /**
         * A resource the host closes when it closes, after its groups and threads (for example the shared
         * log its groups' storage lives in); several close in the reverse order of registration. A failure
         * to close one is logged and the others still close.
         *
         * @param resource what to close after the host
         * @return this builder
         */
        public Builder closeAfter(AutoCloseable resource) {
            this.closeAfter.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /**
         * Send the groups' heartbeats and their answers to each peer process as one batch message per
         * duty cycle instead of one message per group (default: on), and watch each peer process: one not
         * heard from for an election timeout is lost, and the host wakes its groups (quiesced groups then
         * elect without it). Off, every group sends its own heartbeats and nothing watches peer processes.
         *
         * @param coalesce whether to coalesce heartbeats and watch peers
         * @return this builder
         */
        public Builder coalesceHeartbeats(boolean coalesce) {
            this.coalesceHeartbeats = coalesce;
            return this;
        }

        /**
         * With {@link #coalesceHeartbeats} on (else ignored): send every answer to an append in the peer
         * process's answer batch, which leaves when the worker that ran the answering group finishes its round
         * (default: on), so that the answers of many groups share one frame. Off, only answers to heartbeats
         * that tell the leader nothing new are batched, and the others leave at once, each in a frame of its
         * own. On costs an answer at most the rest of its worker's round (each ready group's turn once).
         *
         * @param batch whether every answer waits for its worker's round to end
         * @return this builder
         */
        public Builder batchAnswers(boolean batch) {
            this.batchAnswers = batch;
            return this;
        }

        /**
         * Spread leadership over the hosts (default: off). Every {@code period} the host checks whether it
         * leads more than its share of its groups (its groups divided by a group's members, rounded up,
         * plus one) and if so hands one group to its most caught-up follower by leadership transfer; a
         * transfer runs at a time. Turn it on for every host of a cluster; {@link HostStatus#leaders()} shows
         * the spread.
         *
         * @param period how often to check, at least 10 ms; {@link java.time.Duration#ZERO} turns it off
         * @return this builder
         */
        public Builder balanceLeaders(java.time.Duration period) {
            long millis = period.toMillis();
            if (millis != 0 && millis < 10) {
                throw new IllegalArgumentException("the balancing period must be at least 10 ms, got " + period);
            }
            this.balancePeriodMillis = millis;
            return this;
        }

        /**
         * This host's node id (required, positive): its member's id in every group it holds.
         *
         * @param nodeId the node id
         * @return this builder
         */
        public Builder nodeId(long nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * How the groups reach their peers (required): one factory for every group, keyed by group id in
         * {@link RaftTransportFactory#connect}. The application closes it after the host.
         *
         * @param transport the transport factory
         * @return this builder
         */
        public Builder transport(RaftTransportFactory transport) {
            this.transport = transport;
            return this;
        }

        /**
         * Each group's log (required): for example {@code SharedLog.asFactory()} of raft-storage (one
         * write-ahead log for every group), or {@code id -> new InMemoryLogStorage()} in tests.
         *
         * @param logs the log storage factory
         * @return this builder
         */
        public Builder logStorage(LogStorageFactory logs) {
            this.logs = logs;
            return this;
        }

        /**
         * Each group's snapshot store (optional; without it groups take no snapshots and keep their whole log).
         *
         * @param snapshots the snapshot store factory
         * @return this builder
         */
        public Builder snapshotStore(SnapshotStoreFactory snapshots) {
            this.snapshots = snapshots;
            return this;
        }

        /**
         * The configuration of groups created without one (default {@link RaftConfig#hostDefaults()}); its
         * tick is the host's timer for every group.
         *
         * @param config the default group configuration
         * @return this builder
         */
        public Builder groupConfig(RaftConfig config) {
            this.groupConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The number of worker threads that run the groups' CPU tasks (default: the number of cores).
         *
         * @param workers at least 1
         * @return this builder
         */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * The number of IO threads that run the groups' log writers and snapshot tasks (default 1: with one
         * shared log, one thread covers every group's appends with one {@code fsync}; with a log per group,
         * more threads overlap their {@code fsync}s).
         *
         * @param ioThreads at least 1
         * @return this builder
         */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * The memory the host's groups may reserve together (default: half the maximum heap): the sum of
         * their {@link RaftConfig#reservedBytes()}. A group beyond it is refused at creation.
         *
         * @param bytes the budget, positive
         * @return this builder
         */
        public Builder memoryBudgetBytes(long bytes) {
            this.budgetBytes = bytes;
            return this;
        }

        /**
         * The most groups the host holds at once (default 100,000); bounds the threads' ready queues.
         *
         * @param maxGroups at least 1
         * @return this builder
         */
        public Builder maxGroups(int maxGroups) {
            this.maxGroups = maxGroups;
            return this;
        }

        /**
         * Where each group reports measurements (default: nowhere): called once per group created, with
         * its id; a group's own {@link GroupBuilder#metrics} takes precedence.
         *
         * @param metrics the metrics of a group, by group id
         * @return this builder
         */
        public Builder metrics(LongFunction<RaftMetrics> metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * What to do when one of the host's groups fail-stops ({@link RaftNode.Builder#onFailStop}),
         * for example {@link FailStopHandler#exitProcess}; default: nothing (the group's status says
         * {@link Role#FAILED}, the other groups go on).
         *
         * @param handler run once per failed group, on its own thread; null for none
         * @return this builder
         */
        public Builder onFailStop(FailStopHandler handler) {
            this.failStopHandler = handler;
            return this;
        }

        /**
         * Checks the settings and starts the host's threads.
         *
         * @return the host, running, with no groups
         * @throws IllegalArgumentException naming the first missing or invalid setting
         * @throws IllegalStateException    if the transport already has a host of this node id
         */
        public RaftHost build() {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            Objects.requireNonNull(transport, "transport is required");
            Objects.requireNonNull(logs, "logStorage (a LogStorageFactory) is required");
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1, got " + ioThreads);
            }
            if (budgetBytes <= 0) {
                throw new IllegalArgumentException("memoryBudgetBytes must be positive, got " + budgetBytes);
            }
            if (maxGroups < 1) {
                throw new IllegalArgumentException("maxGroups must be at least 1, got " + maxGroups);
            }
            return new RaftHost(this);
        }
    }
}
