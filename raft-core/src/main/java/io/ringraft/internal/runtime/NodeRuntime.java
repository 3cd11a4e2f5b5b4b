package io.ringraft.internal.runtime;

import io.ringraft.internal.runtime.requests.BoundedQueues;
import io.ringraft.api.Admission;
import io.ringraft.api.LogId;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.StateListener;
import io.ringraft.internal.engine.EngineConfig;
import io.ringraft.internal.engine.LogTerms;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.engine.RecoveredState;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.internal.runtime.requests.ProposalQueue;
import io.ringraft.internal.runtime.requests.Forwards;
import io.ringraft.internal.runtime.requests.MembershipRequest;
import io.ringraft.internal.runtime.requests.PendingFutures;
import io.ringraft.internal.runtime.requests.PendingReads;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.requests.RequestQueues;
import io.ringraft.internal.runtime.requests.TransferRequest;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.tasks.ApplierTask;
import io.ringraft.internal.runtime.tasks.CoreState;
import io.ringraft.internal.runtime.tasks.CoreTask;
import io.ringraft.internal.runtime.tasks.LogCut;
import io.ringraft.internal.runtime.tasks.LogWriterTask;
import io.ringraft.internal.runtime.tasks.PeerLiveness;
import io.ringraft.internal.runtime.tasks.PeerSender;
import io.ringraft.internal.runtime.tasks.Peers;
import io.ringraft.internal.runtime.tasks.RingRoom;
import io.ringraft.internal.runtime.tasks.SnapshotInstaller;
import io.ringraft.internal.runtime.tasks.SnapshotJob;
import io.ringraft.internal.runtime.tasks.SnapshotTask;
import io.ringraft.internal.runtime.tasks.StreamingAdapter;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftMetrics;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs one node: recovers storage, builds the engine, the ring, the queues and the
 * tasks (core, log writer, applier, snapshot task, one sender per peer), and runs the tasks according
 * to the {@link Threading} placement.
 *
 * <p><b>Construction.</b> There is no shared context object: the constructor builds, in this order,
 * the signals and the stop state, the ring and the queues, the progress pointers (each starting where
 * recovery left it), the engine (asking the ring through {@link RingRoom}), and then each task with
 * exactly the pointers, queues and mailboxes it reads or writes: a pointer's one writer is given the
 * {@link ProgressPointer}, its readers only its {@link ProgressView}. Nothing is set on a task after it
 * is built; the one thing that does not exist yet, the transport (connected by {@link #start()}, as the
 * transport SPI says), reaches the sending tasks through a {@link TransportLink} they hold from the start.
 * A sender for a member that joins later is built the same way, by {@link Peers} on the core's thread.
 *
 * <p>Public only so that the deterministic simulator (test sources) can step the tasks itself
 * ({@link Threading#MANUAL}); applications use {@code io.ringraft.api.RaftNode}. Thread-safe:
 * {@link #tryPropose} may be called from any thread; {@link #start()} and {@link #close()} once.
 */
public final class NodeRuntime implements AutoCloseable {

    /** Where the tasks run. */
    public enum Threading {
        /** One thread per task: core, log writer, applier, and each replicator. The default. */
        DEDICATED,
        /** One thread runs all of this node's tasks (saves threads; storage IO stalls the node). */
        SHARED,
        /**
         * The core and the peer senders share one thread (an AppendEntries leaves in the core's own duty
         * cycle, with no wake-up between them); the log writer, the applier and the snapshot task keep
         * their own. A sender reading a lagging follower's entries from storage then delays the core.
         */
        COMPACT,
        /**
         * No threads: the caller runs {@link #agents()} itself, on its own threads (for example many
         * nodes' agents on a few shared Agrona {@code AgentRunner}s), or one step at a time (the
         * deterministic simulator).
         */
        MANUAL,
        /**
         * A host's shared threads run the tasks ({@link HostedPlacement}): the CPU tasks on one of its
         * workers, the log writer and snapshot task on one of its IO threads.
         */
        HOSTED
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final long groupId;
    private final long selfId;
    private final RaftConfig config;
    /** The node's entry ring (for {@link #idleBuffersReleased()}). */
    private final EntryRing ring;
    private final RaftTransportFactory transportFactory;
    private final LogStorage storage;
    /** Null if the node takes no snapshots. */
    private final SnapshotStore snapshotStore;
    private final StopState stop;
    private final LeaderWatch leaderWatch;
    private final RaftMetrics metrics;
    private final Peers peers;
    private final ProgressView leaderTerm;
    private final AtomicReference<CoreState> coreState;
    private final TaskPlacement placement;
    private final Signal coreSignal;
    private final Signal writerSignal;
    private final Signal applierSignal;
    private final Signal snapshotSignal;
    /** The signal of each peer slot's sender. */
    private final Signal[] senderSignals;
    /** This node's clock (deadlines of forwards, arrival stamps). */
    private final LongSupplier nanoClock;
    /** Inbound messages from the transport to the core. */
    private final MessagePassingQueue<RaftMessage> inbound;
    private final AtomicLong droppedInbound;
    /** Unreachable peers reported by a host, and whether the node is quiet ({@link PeerLiveness}). */
    private final PeerLiveness liveness;
    private final RequestQueues requests;
    private final PendingFutures futures;
    private final TransportLink transport;
    private final StatusView status;
    /** What this replica heard of its leader's commit index, and when (reads bounded by time). */
    private final CommitFreshness freshness = new CommitFreshness();
    private final ProgressView appliedView;
    private final ProgressView committedView;
    /** Every progress pointer, for the tests that check each has one writer. */
    private final List<ProgressPointer> pointers;
    private final NodeShutdown shutdown;
    private final CoreTask core;
    private final LogWriterTask writer;
    private final ApplierTask applier;
    /** Null if the node takes no snapshots. */
    private final SnapshotTask snapshots;
    /** Senders by slot; the core adds one when a new member appears (copy-on-write: read anywhere). */
    private final List<PeerSender> senders;
    private volatile boolean closed;
    /** Set by {@link #start()} once the metrics are bound: later members are reported to them as they come. */
    private volatile boolean metricsBound;

    /**
     * Opens storage and recovers; does not start any task yet.
     *
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, RaftTransportFactory transportFactory, ProposalListener listener,
                       Threading threading, LongSupplier nanoClock, RandomGenerator random) {
        this(groupId, selfId, voters, config, stateMachine, storage, null, transportFactory, listener, null, threading,
                nanoClock, random);
    }

    /**
     * Opens storage and the snapshot store (if any), restores the state machine from the newest
     * snapshot and reconciles the log with it, then builds the node: the engine, the ring, the queues
     * and pointers, and each task with exactly the ones it reads or writes. Does not start any task
     * yet, and does not connect the transport (see {@link #start()}).
     *
     * @param snapshotStore where snapshots go, or null: the node then takes none and keeps its whole log
     * @param stateListener told about role, term and leader changes on the core's thread, or null
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, SnapshotStore snapshotStore, RaftTransportFactory transportFactory,
                       ProposalListener listener, StateListener stateListener, Threading threading,
                       LongSupplier nanoClock, RandomGenerator random) {
        this(groupId, selfId, voters, config, stateMachine, storage, snapshotStore, transportFactory, listener,
                stateListener, RaftMetrics.NONE, threading, nanoClock, random);
    }

    /**
     * As the constructor above, with the listener the tasks report measurements to.
     *
     * @param metrics where measurements go ({@link RaftMetrics#NONE}: nowhere, at no cost)
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, SnapshotStore snapshotStore, RaftTransportFactory transportFactory,
                       ProposalListener listener, StateListener stateListener, RaftMetrics metrics,
                       Threading threading, LongSupplier nanoClock, RandomGenerator random) {
        this(groupId, selfId, voters, config, stateMachine, storage, snapshotStore, transportFactory, listener,
                stateListener, metrics, threading, null, nanoClock, random);
    }

    /**
     * As the constructor above, with the host's place for the tasks.
     *
     * @param hosted where a host runs the tasks, with {@link Threading#HOSTED}; null with any other threading
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     * @throws IllegalArgumentException if {@code hosted} and {@code threading} disagree
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, SnapshotStore snapshotStore, RaftTransportFactory transportFactory,
                       ProposalListener listener, StateListener stateListener, RaftMetrics metrics,
                       Threading threading, HostedPlacement hosted, LongSupplier nanoClock, RandomGenerator random) {
        if ((threading == Threading.HOSTED) != (hosted != null)) {
            throw new IllegalArgumentException("a hosted placement goes with HOSTED threading, and only with it");
        }
        this.groupId = groupId;
        this.selfId = selfId;
        this.config = config;
        this.transportFactory = transportFactory;
        this.storage = storage;
        this.snapshotStore = snapshotStore;
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");

        // Recovery: storage, the newest snapshot, the state machine restored from it.
        LogState state;
        LogTerms terms;
        List<io.ringraft.internal.engine.membership.ConfigEntry> configs;
        SnapshotInfo snapshot;
        try {
            state = storage.open();
            snapshot = snapshotStore == null ? null : snapshotStore.latest().orElse(null);
            state = Recovery.reconcile(storage, state, snapshot);
            if (snapshot != null) {
                Recovery.restore(stateMachine, snapshotStore, snapshot, selfId);
            }
            terms = Recovery.terms(storage, state);
            configs = Recovery.configs(storage, state, snapshot == null ? 0 : snapshot.last().index());
        } catch (IOException | RuntimeException e) {
            closeAfterFailedStart(storage, snapshotStore, e);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("node " + selfId + " of group " + groupId
                        + " cannot recover its log storage: " + e.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        LogId snapshotLast = snapshot == null ? LogId.ZERO : snapshot.last();
        io.ringraft.internal.engine.membership.ClusterConfig snapshotConfig;
        try {
            snapshotConfig = snapshot == null ? null : Recovery.membershipOf(snapshot);
        } catch (IOException e) {
            closeAfterFailedStart(storage, snapshotStore, e);
            throw new UncheckedIOException("node " + selfId + " of group " + groupId + ": " + e.getMessage(), e);
        }

        // Signals: one per task; the core's for all of them on a shared thread (for the senders too when they
        // share the core's); on a host, the core's, the applier's and one for all senders (each schedules its
        // task on the group's worker, which runs only the tasks woken) and one for the IO tasks.
        Signal coreSignal = hosted != null ? hosted.cpuSignal() : new Signal();
        boolean oneCpuSignal = threading == Threading.SHARED;
        Signal writerSignal = hosted != null ? hosted.ioSignal() : oneCpuSignal ? coreSignal : new Signal();
        Signal applierSignal = hosted != null ? hosted.applierSignal() : oneCpuSignal ? coreSignal : new Signal();
        Signal snapshotSignal = hosted != null ? writerSignal : oneCpuSignal ? coreSignal : new Signal();
        Signal[] senderSignals = new Signal[config.maxMembers()];
        List<Signal> signals = new ArrayList<>(List.of(coreSignal, writerSignal, applierSignal, snapshotSignal));
        for (int i = 0; i < senderSignals.length; i++) {
            senderSignals[i] = hosted != null ? hosted.senderSignal()
                    : oneCpuSignal || threading == Threading.COMPACT ? coreSignal : new Signal();
            signals.add(senderSignals[i]);
        }
        this.coreSignal = coreSignal;
        this.writerSignal = writerSignal;
        this.applierSignal = applierSignal;
        this.snapshotSignal = snapshotSignal;
        this.senderSignals = senderSignals;
        LeaderWatch leaderWatch = new LeaderWatch(); // core
        this.leaderWatch = leaderWatch;
        StopState stop = new StopState(signals, leaderWatch);
        this.stop = stop;
        TaskPlacement placement = new TaskPlacement(threading, stop::fail, hosted);
        this.placement = placement;

        // The ring, the application's request queues, the mailboxes between tasks.
        EntryRing ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes()); // allocated by its first write
        this.ring = ring;
        ring.resetTo(state.last().index() + 1);
        this.futures = new PendingFutures(config.maxPendingFutures());
        // A host's groups take unpadded queues (BoundedQueues): same bounds, a fraction of an idle group's heap.
        BoundedQueues queues = new BoundedQueues(hosted == null);
        // Forwarded request ids start at this incarnation's clock reading: a restarted node's ids differ from
        // its earlier ones (in practice; the leader's duplicate filter only needs them distinct).
        this.requests = new RequestQueues(
                new ProposalQueue(config.proposalQueueBytes()),
                new PendingReads(config.maxPendingReads(), queues),
                new Forwards(config.maxPendingFutures(), Math.max(1, nanoClock.getAsLong()), queues),
                new AtomicReference<>(), new AtomicReference<>(), new AtomicReference<>());
        this.nanoClock = nanoClock;
        this.inbound = queues.mpsc(config.inboundQueueCapacity());
        PeerLiveness liveness = new PeerLiveness(config.maxMembers());
        this.liveness = liveness;
        AtomicLong droppedInbound = new AtomicLong();
        AtomicLong droppedOutbound = new AtomicLong();
        this.droppedInbound = droppedInbound;
        AtomicReference<LogCut> logCut = new AtomicReference<>();
        AtomicReference<SnapshotInfo> latestSnapshot = new AtomicReference<>(snapshot);
        AtomicReference<SnapshotInfo> installedSnapshot = new AtomicReference<>();
        AtomicReference<SnapshotJob> snapshotJob = new AtomicReference<>();
        MessagePassingQueue<InstallSnapshotRequest> snapshotChunks = queues.spsc(SnapshotInstaller.CHUNK_QUEUE);
        TransportLink transport = new TransportLink();
        this.transport = transport;

        // The pointers that start where storage stands, the engine, and the pointers that start where it stands.
        // Each names its writer task (its only publisher) and wakes the tasks that watch it.
        ProgressPointer purgeLimit = ProgressPointer.monotonic("purgeLimit", 0, writerSignal); // core
        ProgressPointer purged = ProgressPointer.monotonic("purged", state.base().index()); // log writer
        ProgressPointer flushed = ProgressPointer.monotonic("flushed", 0, coreSignal); // log writer
        ProgressPointer submitted = ProgressPointer.movable("submitted", state.last().index()); // log writer; wakes nobody: the core, which reads it for ring room, is woken by flushed, published after the same cycle's appends
        ProgressPointer applied = ProgressPointer.monotonic("applied", snapshotLast.index(), coreSignal); // applier
        ProgressPointer leaderTerm = ProgressPointer.movable("leaderTerm", -1); // core
        RingRoom room = new RingRoom(ring, applied, submitted, flushed, config.maxBytesPerAppend());
        EngineConfig engineConfig = new EngineConfig(selfId, voters, config.electionTimeoutTicks(),
                config.heartbeatIntervalTicks(), config.preVote(), config.checkQuorum(),
                config.maxInflightAppends(), config.maxEntriesPerAppend(), config.maxPendingReads(),
                config.leaseTicks(), config.quiesceAfterTicks());
        RaftEngine engine = new RaftEngine(engineConfig, new RecoveredState(state.vote(), terms, 0, configs,
                snapshotLast, snapshotConfig), random, room);
        if (config.startDormant() && engine.startDormant()) {
            liveness.publishDormant(true); // no election timer until a peer's message or local demand (RaftConfig.startDormant)
        }
        // A restored snapshot is committed: status agrees from the start.
        ProgressPointer committed = ProgressPointer.monotonic("committed", engine.commitIndex()); // core
        ProgressPointer applyLimit = ProgressPointer.monotonic("applyLimit", engine.applyLimit(), applierSignal); // core
        room.bind(committed, applyLimit, engine::durableIndex);
        ProgressPointer durable = ProgressPointer.movable("durable", engine.durableIndex()); // core
        AtomicReference<IoId> accepted = new AtomicReference<>(engine.accepted()); // core
        AtomicReference<CoreState> coreState = new AtomicReference<>(CoreState.initial()); // core
        this.leaderTerm = leaderTerm;
        this.coreState = coreState;
        this.pointers = List.of(purgeLimit, purged, flushed, submitted, applyLimit, committed, durable, applied,
                leaderTerm);
        List<PeerSender> senders = new CopyOnWriteArrayList<>();
        this.senders = senders;
        Peers peers = new Peers(selfId, config.maxInflightAppends() + 16, queues, senderSignals,
                (slot, peerId, outbox, chunkRequest, signal) -> {
                    PeerSender sender = new PeerSender(groupId, selfId, peerId, slot, outbox, chunkRequest, config,
                            ring, storage, snapshotStore, leaderTerm, latestSnapshot, transport, stop, this.metrics,
                            nanoClock, requests.forwards());
                    senders.add(sender);
                    placement.add(sender, signal);
                    if (metricsBound) {
                        this.metrics.peerAdded(peerId);
                    }
                });
        this.peers = peers;
        // Each follower's match index as the leader's core last published it (-1: none), for the status.
        AtomicLongArray followerMatch = new AtomicLongArray(config.maxMembers());
        this.appliedView = applied;
        this.committedView = committed;
        this.status = new StatusView(groupId, selfId, coreState, accepted, submitted, flushed, durable, committed,
                applied, purged, droppedInbound, droppedOutbound, latestSnapshot, stop, peers, followerMatch,
                requests.proposals(), inbound);

        // The tasks, each with what it reads and writes.
        ProposalOutcomes outcomes = new ProposalOutcomes(listener, futures);
        this.shutdown = new NodeShutdown(groupId, selfId, stop, ring, applied, leaderTerm, coreState, leaderWatch, requests,
                snapshotJob, outcomes, snapshotStore != null);
        this.core = new CoreTask(groupId, selfId, config, nanoClock, engine, ring, room,
                new CoreTask.Pointers(accepted, logCut, purgeLimit, committed, applyLimit, durable, leaderTerm,
                        coreState, flushed, submitted, applied),
                new CoreTask.Inputs(requests.proposals(), inbound, requests.reads(), requests.forwards(),
                        requests.transfer(), requests.membershipChange(), installedSnapshot, latestSnapshot,
                        liveness),
                new CoreTask.Outputs(peers, snapshotChunks, writerSignal, applierSignal, droppedOutbound,
                        droppedInbound, leaderWatch, metrics, followerMatch, freshness),
                stateListener, status, stop, outcomes, shutdown);
        this.writer = new LogWriterTask(groupId, selfId, config, ring, storage, state, accepted, logCut, purgeLimit,
                submitted, flushed, purged, stop, nanoClock, metrics);
        // The state machine holds the snapshot's state (or none): applying resumes after it.
        byte[] membership = snapshot != null ? snapshot.membership()
                : io.ringraft.internal.engine.membership.ClusterConfig.of(voters, new long[0]).encode();
        this.applier = new ApplierTask(groupId, selfId, config, nanoClock, ring, storage, stateMachine, applyLimit,
                applied, requests.reads(), requests.forwards(),
                new ApplierTask.Snapshots(snapshotStore, latestSnapshot, snapshotJob, requests.snapshotRequest(),
                        snapshotSignal, snapshotChunks, installedSnapshot, coreSignal, transport),
                applierSignal, stop, outcomes, shutdown, snapshotLast, membership, metrics);
        this.snapshots = snapshotStore == null ? null : new SnapshotTask(groupId, selfId, nanoClock, snapshotStore,
                snapshotJob, latestSnapshot, coreSignal, applierSignal, stop, shutdown, metrics);
        for (long voter : voters) {
            peers.slotFor(voter); // senders for the initial members; later ones come with the configuration
        }
        LOG.info("node {} of group {} recovered: vote {}, log after {} up to {}", selfId, groupId,
                state.vote(), state.base(), state.last());
    }

    /**
     * Wraps a streaming state machine so that it can be passed where a {@link StateMachine} is taken: the
     * node's applier then hands it committed commands as a stream ({@code ApplyStream}) instead of
     * calling {@code apply}. Any thread.
     */
    public static StateMachine streaming(io.ringraft.spi.StreamingStateMachine machine) {
        return new StreamingAdapter(machine);
    }

    /** Releases what a failed constructor opened, so that the caller may try again with the same directories. */
    private static void closeAfterFailedStart(LogStorage storage, SnapshotStore snapshotStore, Exception failure) {
        for (AutoCloseable closeable : new AutoCloseable[] {storage, snapshotStore}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /**
     * Binds the metrics, connects the transport, then starts the task threads (none in
     * {@link Threading#MANUAL}). The transport is handed to the tasks that send ({@link TransportLink})
     * before any task thread starts.
     */
    public void start() {
        metrics.bind(groupId, selfId, config, this::status);
        for (int slot = 0; slot < peers.count(); slot++) {
            metrics.peerAdded(peers.peerAt(slot));
        }
        metricsBound = true;
        transport.connect(transportFactory.connect(groupId, selfId, this::offerInbound));
        if (placement.hosted()) {
            List<Agent> cpuTasks = new ArrayList<>();
            cpuTasks.add(core);
            cpuTasks.add(applier);
            cpuTasks.addAll(senders);
            // As a SHARED thread parks: until the core's next tick that may act, or the applier's read deadline.
            placement.startHosted(cpuTasks, writer, snapshots, () -> Math.min(
                    core.parkNanos(TaskPlacement.MAX_PARK_NANOS), applier.parkNanos(TaskPlacement.MAX_PARK_NANOS)));
            return;
        }
        List<Agent> others = new ArrayList<>();
        List<Signal> signals = new ArrayList<>();
        List<java.util.function.LongSupplier> parks = new ArrayList<>();
        // Once the node stops, every task parks briefly: the runners' close waits for each thread to see it.
        java.util.function.LongSupplier untilWoken = () -> stop.stopped() ? TaskPlacement.STOPPING_PARK_NANOS
                : TaskPlacement.MAX_PARK_NANOS;
        others.add(writer);
        signals.add(writerSignal);
        parks.add(untilWoken);
        others.add(applier);
        signals.add(applierSignal);
        parks.add(() -> applier.parkNanos(untilWoken.getAsLong()));
        if (snapshots != null) {
            others.add(snapshots);
            signals.add(snapshotSignal);
            parks.add(untilWoken);
        }
        for (PeerSender sender : senders) {
            others.add(sender);
            signals.add(senderSignals[sender.slot()]);
            parks.add(() -> sender.parkNanos(untilWoken.getAsLong()));
        }
        placement.start(core, coreSignal, () -> core.parkNanos(untilWoken.getAsLong()), others, signals, parks,
                untilWoken);
    }

    /** All tasks of this node, core first (for {@link Threading#MANUAL} stepping). */
    public List<Agent> agents() {
        List<Agent> agents = new ArrayList<>();
        agents.add(core);
        agents.add(writer);
        agents.add(applier);
        if (snapshots != null) {
            agents.add(snapshots);
        }
        agents.addAll(senders);
        return agents;
    }

    private boolean offerInbound(RaftMessage message) {
        if (stop.stopped()) {
            // A stopped node will never read: take the message and drop it, so that a transport does
            // not pause a connection it shares with other, healthy nodes waiting for room here.
            droppedInbound.incrementAndGet();
            io.ringraft.message.Releasable.release(message);
            return true;
        }
        if (message instanceof io.ringraft.message.ForwardProposal forward) {
            message = forward.received(nanoClock.getAsLong()); // its budget runs from now, on this node's clock
        }
        if (!inbound.offer(message)) {
            droppedInbound.incrementAndGet();
            return false;
        }
        coreSignal.wake();
        return true;
    }

    // ------------------------------------------------------------------ proposals

    /**
     * Queues a proposal for the core. Waits up to the configured time for room (real time, on the
     * caller's thread: with {@link Threading#MANUAL} on a single thread nothing would make room, so
     * the simulator uses no wait). Allocates nothing.
     *
     * @return {@link Admission#ACCEPTED} if queued; otherwise why not, in this order:
     *         {@link Admission#TOO_LARGE} (larger than {@code maxEntryBytes}), {@link Admission#STOPPED},
     *         {@link Admission#NOT_LEADER} (the core publishes no term it leads), {@link Admission#QUEUE_FULL}
     *         (no room within the wait; stopping or losing leadership while waiting says so instead)
     * @throws IndexOutOfBoundsException if the range is outside {@code payload}
     */
    public Admission tryPropose(byte origin, long correlationId, byte[] payload, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, payload.length);
        return queueProposal(origin, correlationId, payload, offset, length, null);
    }

    /**
     * Queues the bytes {@code payload} has remaining as a proposal, as
     * {@link #tryPropose(byte, long, byte[], int, int)} does; the buffer's position does not move.
     */
    public Admission tryPropose(byte origin, long correlationId, java.nio.ByteBuffer payload) {
        return queueProposal(origin, correlationId, null, 0, payload.remaining(), payload);
    }

    /** Queues a payload given either as an array range or (when {@code buffer} is not null) a buffer. */
    private Admission queueProposal(byte origin, long correlationId, byte[] array, int offset, int length,
                                    java.nio.ByteBuffer buffer) {
        if (length > config.maxEntryBytes()) {
            return refused(Admission.TOO_LARGE);
        }
        ProposalQueue proposals = requests.proposals();
        long deadline = 0;
        while (true) {
            if (stop.stopped()) {
                return refused(Admission.STOPPED);
            }
            if (leaderTerm.get() < 0) {
                demand(); // a dormant node that is asked to lead campaigns (RaftConfig.startDormant)
                return refused(Admission.NOT_LEADER);
            }
            boolean queued = buffer == null
                    ? proposals.offer(origin, correlationId, array, offset, length)
                    : proposals.offer(origin, correlationId, buffer);
            if (queued) {
                coreSignal.wake();
                checkLateSubmission();
                return Admission.ACCEPTED;
            }
            // The core frees queue bytes the ring let go of (applied proposals held in place) when it runs.
            coreSignal.wake();
            long waitMillis = config.proposalWaitMillis();
            if (waitMillis == 0) {
                return refused(Admission.QUEUE_FULL);
            }
            long now = System.nanoTime(); // the caller's own real-time wait, not the node's clock
            if (deadline == 0) {
                deadline = now + waitMillis * 1_000_000L;
            } else if (now - deadline >= 0) {
                return refused(Admission.QUEUE_FULL);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000L);
        }
    }

    // ------------------------------------------------------------------ quiescence

    /**
     * A host's liveness detector reports that it lost node {@code nodeId}'s process: nothing was heard
     * from it for at least one election timeout. Any thread; lock-free and allocation-free (a bounded
     * mailbox, see {@link PeerLiveness}); wakes the core, which hands it to the engine: a quiesced
     * follower of that leader campaigns within one election timeout, a quiesced leader that lost a
     * member resumes heartbeats. Harmless when the node is not quiesced, or does not know the node.
     *
     * @throws IllegalArgumentException if {@code nodeId} is not positive
     */
    public void peerUnreachable(long nodeId) {
        liveness.reportUnreachable(nodeId);
        coreSignal.wake();
    }

    /**
     * Whether the node is quiesced ({@code RaftConfig.quiesceAfterMillis()}), as its core last
     * published: its group is idle and it needs no ticks until something wakes it (a proposal, read or
     * message, which signal the core anyway). Any thread; one volatile read. A host scheduler may skip
     * ticking a quiesced node; correctness does not depend on it (a quiesced engine ignores ticks).
     */
    public boolean quiesced() {
        return liveness.quiesced();
    }

    /**
     * Someone on this node needs the group: a dormant node ({@code RaftConfig.startDormant}) campaigns
     * within half an election timeout; nothing otherwise ({@code RaftEngine.demand()}). Any thread.
     */
    public void demand() {
        if (liveness.dormant()) {
            liveness.requestDemand();
            coreSignal.wake();
        }
    }

    /**
     * Whether the node holds neither its ring's tables and arena nor its proposal queue's array now: a
     * quiet node hands them back once it applied what its ring held, and allocates them again when it next
     * writes an entry or takes a proposal ({@code CoreTask}). Any thread; a snapshot, for tests and status.
     *
     * @return true if both are released (or were never allocated)
     */
    public boolean idleBuffersReleased() {
        return !ring.isAllocated() && !requests.proposals().isAllocated();
    }

    /**
     * Whether the node holds none of what a quiet node hands back now ({@code CoreTask}): its ring's tables
     * and arena, its proposal queue's array ({@link #idleBuffersReleased()}), its pending futures' table, the
     * tables of its tasks' views over the ring (log writer, applier, senders) and of its engine's reads. Any
     * thread; a snapshot (the tasks' fields are read without synchronization), for tests and the memory walk.
     *
     * @return true if all are released (or were never allocated)
     */
    public boolean idleMemoryReleased() {
        if (!idleBuffersReleased() || futures.isAllocated() || writer.viewAllocated() || applier.viewsAllocated()
                || core.engine().readTablesAllocated()) {
            return false;
        }
        for (PeerSender sender : senders) {
            if (sender.viewAllocated()) {
                return false;
            }
        }
        return true;
    }

    /**
     * How long ago, by this node's clock, this replica last knew that it had applied everything its leader
     * had committed ({@link CommitFreshness}): 0 on a leader that serves (it committed an entry of its
     * term) and applied its whole commit index,
     * {@link Long#MAX_VALUE} if it never knew or the node stopped. Any thread.
     */
    public long appliedStalenessNanos() {
        if (stop.stopped()) {
            return Long.MAX_VALUE;
        }
        long appliedIndex = appliedView.get();
        if (isReadyLeader() && appliedIndex >= committedView.get()) {
            return 0; // a leader that committed an entry of its term: nothing committed is missing from its commit
        }
        return freshness.stalenessNanos(appliedIndex, nanoClock.getAsLong());
    }

    /** The leader this node knows of in its current term (itself if it leads), or 0. Any thread; no allocation. */
    public long leaderHint() {
        return coreState.get().leaderId();
    }

    /**
     * True if this node leads its current term and has committed an entry of it, and has not stopped
     * ({@link LeaderWatch}). Any thread; two volatile reads, no allocation.
     */
    public boolean isReadyLeader() {
        return leaderWatch.ready() == selfId && !stop.stopped();
    }

    /**
     * Waits until this node knows a ready leader ({@link LeaderWatch}) and returns its id.
     *
     * @throws java.util.concurrent.TimeoutException if none within {@code timeoutNanos}
     * @throws io.ringraft.api.NodeStoppedException   if the node stopped first
     * @throws io.ringraft.api.RejectedException      if too many threads wait already
     */
    public long awaitLeader(long timeoutNanos) throws InterruptedException, java.util.concurrent.TimeoutException {
        demand(); // someone needs a leader: a dormant node campaigns
        return leaderWatch.await(timeoutNanos, selfId, stop::stopped);
    }

    /**
     * Starts a linearizable read of {@code query}; false if too many reads are in flight or the node
     * is stopped (the future is then left untouched).
     */
    public boolean tryRead(byte[] query, java.util.concurrent.CompletableFuture<Object> future) {
        if (stop.stopped() || !requests.reads().submit(query, future)) {
            return false;
        }
        coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * Asks the core to hand leadership to {@code target}; completes {@code future} when done.
     *
     * @return false if a transfer is already waiting or running, or the node is stopped
     */
    public boolean tryTransferLeadership(long target, java.util.concurrent.CompletableFuture<Void> future) {
        if (stop.stopped() || !requests.transfer().compareAndSet(null, new TransferRequest(target, future))) {
            return false;
        }
        coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * Asks the core to change the membership; completes {@code future} when the new configuration
     * is committed.
     *
     * @return false if a change is already waiting or running, or the node is stopped
     */
    public boolean tryChangeMembership(long[] voters, long[] learners,
                                       java.util.concurrent.CompletableFuture<Void> future) {
        if (stop.stopped() || !requests.membershipChange().compareAndSet(null,
                new MembershipRequest(voters.clone(), learners.clone(), future))) {
            return false;
        }
        coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * Asks for a snapshot of the state as applied now; {@code future} completes with the snapshot's
     * last entry once it is durable (at once if the newest snapshot already covers everything applied).
     *
     * @return false if the node has no snapshot store or is stopped; if a request is already waiting,
     *         {@code future} completes with it
     */
    public boolean tryTakeSnapshot(java.util.concurrent.CompletableFuture<LogId> future) {
        if (stop.stopped() || snapshotStore == null) {
            return false;
        }
        AtomicReference<java.util.concurrent.CompletableFuture<LogId>> snapshotRequest = requests.snapshotRequest();
        if (!snapshotRequest.compareAndSet(null, future)) {
            java.util.concurrent.CompletableFuture<LogId> waiting = snapshotRequest.get();
            if (waiting == null) {
                return tryTakeSnapshot(future);
            }
            waiting.whenComplete((last, error) -> {
                if (error != null) {
                    future.completeExceptionally(error);
                } else {
                    future.complete(last);
                }
            });
        }
        applierSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * Queues {@code command} to be proposed through the leader (this node need not lead); the future
     * completes once this node applied it (see {@link Forwards}).
     *
     * @return false if too many forwards are pending or the node is stopped (the future is untouched)
     */
    public boolean tryForward(byte[] command, java.util.concurrent.CompletableFuture<Object> future) {
        return tryForward(command, future, Forwards.defaultWaitNanos(config));
    }

    /**
     * {@link #tryForward(byte[], java.util.concurrent.CompletableFuture)} with the time the caller waits
     * for the leader's answer: a forward not sent by then fails definitely, and the leader does not
     * append one it takes too late (see {@link Forwards}).
     *
     * @param waitNanos how long from now the caller waits for the leader's answer
     * @return false if too many forwards are pending or the node is stopped (the future is untouched)
     */
    public boolean tryForward(byte[] command, java.util.concurrent.CompletableFuture<Object> future, long waitNanos) {
        if (stop.stopped() || !requests.forwards().submit(command, future, nanoClock.getAsLong() + waitNanos)) {
            return false;
        }
        coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * A request was queued after the check that the node runs: if the node stopped meanwhile, its
     * shutdown routine may have reported the queues already, so it reports this one (exactly once).
     */
    private void checkLateSubmission() {
        if (stop.stopped()) {
            shutdown.afterLateSubmission();
        }
    }

    /**
     * Reports a proposal refused before it was queued to the metrics (any thread), once they are bound: a
     * proposal made before {@link #start()} is not reported ({@code RaftMetrics.bind} comes first).
     */
    void rejected(RaftMetrics.Rejection reason) {
        if (metricsBound) {
            metrics.proposalRejected(reason);
        }
    }

    /** {@code admission}, a refusal, reported to the metrics first. */
    private Admission refused(Admission admission) {
        rejected(switch (admission) {
            case NOT_LEADER -> RaftMetrics.Rejection.NOT_LEADER;
            case QUEUE_FULL -> RaftMetrics.Rejection.QUEUE_FULL;
            case TOO_LARGE -> RaftMetrics.Rejection.TOO_LARGE;
            case STOPPED, ACCEPTED -> RaftMetrics.Rejection.STOPPED;
        });
        return admission;
    }

    /** Registers a future for a proposal; 0 if too many are pending. */
    public long registerFuture(java.util.concurrent.CompletableFuture<Object> future) {
        return futures.register(future);
    }

    /** Fails and forgets the future of a proposal that could not be queued. */
    public java.util.concurrent.CompletableFuture<Object> takeFuture(long correlationId) {
        return futures.take(correlationId);
    }

    // ------------------------------------------------------------------ status

    /**
     * A consistent-enough snapshot of the node's pointers (each read atomically, not all at once). Any
     * thread; allocates the status (and its follower list), reads no lock.
     */
    public io.ringraft.api.RaftStatus status() {
        return status.get();
    }

    /**
     * The role now, as {@link #status()} would show it, without allocating the status (the forwarding
     * path asks on every command). Any thread.
     */
    public io.ringraft.api.Role role() {
        return status.role();
    }

    /**
     * Reads applied entries from this node's log storage, from {@code fromIndex} up to the applied index
     * (applied entries are committed and durable here, so never truncated). Any thread (storage reads may
     * run concurrently with the log writer).
     *
     * @return at most {@code maxCount} entries; empty if {@code fromIndex} is past the applied index
     * @throws java.io.IOException if {@code fromIndex} was purged or the read failed
     */
    public io.ringraft.spi.LogEntries readApplied(long fromIndex, int maxCount, int maxBytes) throws java.io.IOException {
        long applied = status().appliedIndex();
        if (fromIndex > applied) {
            return io.ringraft.spi.LogEntries.empty(fromIndex);
        }
        return storage.read(fromIndex, (int) Math.min(maxCount, applied - fromIndex + 1), maxBytes);
    }

    public long selfId() {
        return selfId;
    }

    public long groupId() {
        return groupId;
    }

    public RaftConfig config() {
        return config;
    }

    /** The engine, for the simulator's invariant checks (read only, from the stepping thread). */
    public RaftEngine engine() {
        return core.engine();
    }

    /** The node's progress pointers (tests check that each has one writer). */
    List<ProgressPointer> pointers() {
        return pointers;
    }

    /**
     * The membership this node starts with, if it names this node (a voter, an outgoing voter or a
     * learner): the newest configuration in its log, else its snapshot's, else the initial voters.
     *
     * @return null if this node is a member; otherwise the membership, for a message
     */
    public String membershipWithoutSelf() {
        io.ringraft.internal.engine.membership.ClusterConfig config = core.engine().clusterConfig();
        return config.isMember(selfId) ? null : config.toString();
    }

    /** True once the node stopped (closed or failed). */
    public boolean isStopped() {
        return stop.stopped();
    }

    /**
     * True once everything this node owed was reported: every accepted proposal, read, forward and
     * request completed (after {@link #close()}, or after a fail-stop once every task noticed it).
     */
    public boolean completionsSettled() {
        return shutdown.ran();
    }

    /**
     * Stops the tasks and joins their threads (with {@link Threading#MANUAL} the caller must have
     * stopped running them), reports everything still pending exactly once ({@link NodeShutdown}), and
     * closes transport and storage. Idempotent; must not be called from one of the node's own tasks.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stop.close();
        placement.stop();
        // No task runs any more: whatever they left pending is reported now, if a fail-stop did not already.
        shutdown.taskStopped(NodeShutdown.ALL);
        closed = true;
        transport.close();
        // Messages still queued hold transport memory: hand it back (after the transport stopped offering).
        RaftMessage left;
        while ((left = inbound.poll()) != null) {
            io.ringraft.message.Releasable.release(left);
        }
        try {
            storage.close();
        } catch (IOException e) {
            LOG.warn("closing the log storage of node {} failed", selfId, e);
        }
        if (snapshotStore != null) {
            try {
                snapshotStore.close();
            } catch (IOException e) {
                LOG.warn("closing the snapshot store of node {} failed", selfId, e);
            }
        }
        if (metricsBound) {
            try {
                metrics.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the metrics of node {} failed", selfId, e);
            }
        }
    }

    /** True after {@link #close()} completed. */
    public boolean isClosed() {
        return closed;
    }
}
