package io.ringraft.internal.runtime;

import io.ringraft.api.LogId;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * Everything the tasks of one node share: the ring, the bounded queues and the progress pointers.
 *
 * <p>Each pointer has exactly one writer (named on the field) and is read by the others; a writer
 * that moves a pointer wakes the tasks that watch it. Pointers only move forward, except
 * {@link #logCut}, which the log writer consumes. Created by {@link NodeRuntime}; the tasks
 * run on whatever threads the runtime's placement says.
 */
final class NodeContext {

    final long groupId;
    final long selfId;
    /** Other members by replicator slot (0: free); written by the core before a slot's task starts. */
    final long[] peers;
    /** Slots in use; written by the core only. */
    volatile int peerCount;
    /** Creates and starts the replicator of a new slot (set by the runtime). */
    volatile java.util.function.IntConsumer onPeerAdded = slot -> { };
    final RaftConfig config;
    final LongSupplier nanoClock;
    final EntryRing ring;
    final LogStorage storage;
    final StateMachine stateMachine;
    final ProposalListener listener;
    final PendingFutures futures;
    final PendingReads reads;
    /** Commands proposed here and forwarded to the leader ({@code RaftNode.forward}). */
    final Forwards forwards;
    /** At most one leadership transfer asked for by the application; the core completes it. */
    final AtomicReference<TransferRequest> transfer = new AtomicReference<>();
    /**
     * Set by {@code start()}. The four fields set after construction ({@link #transport},
     * {@link #stateListener}, {@link #statusView}, {@link #onPeerAdded}) are volatile: with external
     * scheduling, task threads the application owns read them with no other happens-before edge.
     */
    volatile RaftTransport transport;
    /** Told about role, term and leader changes on the core thread; may be null. */
    volatile io.ringraft.api.StateListener stateListener;
    /** Builds the status view handed to {@link #stateListener}. */
    volatile java.util.function.Supplier<io.ringraft.api.RaftStatus> statusView;

    /** Proposals from any thread to the core: origin, correlation id and payload per record. */
    final ProposalQueue proposals;
    /** Inbound messages from the transport to the core. */
    final MpscAtomicArrayQueue<RaftMessage> inbound;
    /** Outgoing messages from the core to each peer's replicator (index as in {@link #peers}). */
    final SpscAtomicArrayQueue<RaftMessage>[] outboxes;

    // ---------------------------------------------------------------- pointers
    // Names as in DESIGN.md and docs/architecture.md; each has one writer task (named) and wakes the
    // tasks that watch it. Built in the constructor once the signals exist.
    /** core: the newest storage state handed to the log writer (an {@link IoId}, not a plain index). */
    final AtomicReference<IoId> accepted = new AtomicReference<>();
    /** core sets, log writer consumes: truncations and resets since the log writer last looked, or null. */
    final AtomicReference<LogCut> logCut = new AtomicReference<>();
    /** core: storage may drop every entry up to here (covered by a durable snapshot, less the tail). */
    final ProgressPointer purgeLimit;
    /** log writer: storage's base index (entries up to it are purged). */
    final ProgressPointer purged;
    /** log writer: the highest storage change ({@code seq}) made durable. */
    final ProgressPointer flushed;
    /** log writer: the last index handed to storage (readable there); goes back when a follower truncates. */
    final ProgressPointer submitted;
    /** core: entries up to here may be applied: min(committed, durable locally). */
    final ProgressPointer applyLimit;
    /** core: the commit index. */
    final ProgressPointer committed;
    /** core: the highest index durable locally and still in the log (goes back when a follower truncates). */
    final ProgressPointer durable;
    /** applier: the last applied index. */
    final ProgressPointer applied;
    /** core: the term this node leads, or -1. Replicators drop messages of any other term. */
    final ProgressPointer leaderTerm;
    /** core: role, term, leader and vote, replaced whenever one changes. */
    volatile CoreState coreState;
    /** any task: the error that stopped the node (fail-stop), or null. */
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** set by close(): tasks stop. */
    volatile boolean closing;

    // ---------------------------------------------------------------- snapshots
    /** Where snapshots go; null if this node takes none (it then never purges its log). */
    final SnapshotStore snapshotStore;
    /** snapshot task or applier: the newest durable snapshot, or null. */
    final AtomicReference<SnapshotInfo> latestSnapshot = new AtomicReference<>();
    /** applier sets, core consumes: a snapshot from the leader is durable and restored. */
    final AtomicReference<SnapshotInfo> installedSnapshot = new AtomicReference<>();
    /** applier sets when free, snapshot task clears when written: the state to write, or null. */
    final AtomicReference<SnapshotJob> snapshotJob = new AtomicReference<>();
    /** application sets, applier takes: a snapshot asked for with {@code RaftNode.takeSnapshot()}. */
    final AtomicReference<java.util.concurrent.CompletableFuture<LogId>> snapshotRequest = new AtomicReference<>();
    /** core to applier: chunks of a snapshot the leader sends (full: dropped, the leader resends). */
    final SpscAtomicArrayQueue<InstallSnapshotRequest> snapshotChunks = new SpscAtomicArrayQueue<>(SNAPSHOT_CHUNK_QUEUE);
    /** core sets, each replicator takes: the snapshot chunk to send its peer next (newest wins). */
    final AtomicReference<ChunkRequest>[] chunkRequests;

    /** The newer of two snapshots (by last index); either may be null. */
    static SnapshotInfo newer(SnapshotInfo a, SnapshotInfo b) {
        if (a == null) {
            return b;
        }
        return b == null || a.last().index() >= b.last().index() ? a : b;
    }

    /** Chunks the applier may have waiting: one being written, a few behind it. */
    static final int SNAPSHOT_CHUNK_QUEUE = 4;

    /** Pending log changes for the log writer: a reset (discard all, continue after it) and/or a truncation. */
    record LogCut(LogId resetTo, long truncateFrom) {
        /** Adds a truncation from {@code index}: a reset stays in force (a later truncation lies after it). */
        LogCut truncate(long index) {
            return new LogCut(resetTo, Math.min(truncateFrom, index));
        }
    }

    /** A snapshot to send: chunk of {@code snapshot} at {@code offset}, for the leader of {@code term}. */
    record ChunkRequest(long term, LogId snapshot, long offset) {
    }

    /** The state machine's captured state, to be written as the snapshot up to {@code last}. */
    record SnapshotJob(LogId last, byte[] membership, io.ringraft.spi.StateMachine.Snapshot view,
                       java.util.concurrent.CompletableFuture<LogId> requested) {
    }

    /** Every progress pointer, for status and for the tests that check each has one writer. */
    java.util.List<ProgressPointer> pointers() {
        return java.util.List.of(purgeLimit, purged, flushed, submitted, applyLimit, committed, durable, applied,
                leaderTerm);
    }

    // ---------------------------------------------------------------- signals
    final Signal coreSignal;
    final Signal writerSignal;
    final Signal applierSignal;
    final Signal snapshotSignal;
    final Signal[] replicatorSignals;

    // ---------------------------------------------------------------- counters
    final AtomicLong droppedOutbound = new AtomicLong();
    final AtomicLong droppedInbound = new AtomicLong();

    /** A leadership transfer the application asked for. */
    static final class TransferRequest {
        final long target;
        final java.util.concurrent.CompletableFuture<Void> future;
        boolean started;
        long startedAtNanos;

        TransferRequest(long target, java.util.concurrent.CompletableFuture<Void> future) {
            this.target = target;
            this.future = future;
        }
    }

    /** Role, term, leader and vote as one immutable value. */
    record CoreState(Role role, long term, long leaderId, Vote vote, io.ringraft.api.Membership membership) {
    }

    /** A membership change the application asked for; the core completes it. */
    static final class MembershipRequest {
        final long[] voters;
        final long[] learners;
        final java.util.concurrent.CompletableFuture<Void> future;
        boolean started;
        long startedAtNanos;

        MembershipRequest(long[] voters, long[] learners, java.util.concurrent.CompletableFuture<Void> future) {
            this.voters = voters;
            this.learners = learners;
            this.future = future;
        }
    }

    /** At most one membership change asked for by the application. */
    final AtomicReference<MembershipRequest> membershipChange = new AtomicReference<>();

    @SuppressWarnings("unchecked")
    NodeContext(long groupId, long selfId, RaftConfig config, LongSupplier nanoClock,
                LogStorage storage, SnapshotStore snapshotStore, StateMachine stateMachine, ProposalListener listener,
                Signal coreSignal, Signal writerSignal, Signal applierSignal, Signal snapshotSignal,
                boolean sharedSignal) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.peers = new long[config.maxMembers()];
        this.config = config;
        this.nanoClock = nanoClock;
        this.storage = storage;
        this.snapshotStore = snapshotStore;
        this.chunkRequests = new AtomicReference[config.maxMembers()];
        for (int i = 0; i < chunkRequests.length; i++) {
            chunkRequests[i] = new AtomicReference<>();
        }
        this.stateMachine = stateMachine;
        this.listener = listener;
        this.ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        this.futures = new PendingFutures(config.maxPendingFutures());
        this.reads = new PendingReads(config.maxPendingReads());
        // Request ids start at this incarnation's clock reading: a restarted node's ids differ from its
        // earlier ones (in practice; the leader's duplicate filter only needs them distinct).
        this.forwards = new Forwards(config.maxPendingFutures(), Math.max(1, nanoClock.getAsLong()));
        this.proposals = new ProposalQueue(config.proposalQueueBytes());
        this.inbound = new MpscAtomicArrayQueue<>(config.inboundQueueCapacity());
        this.outboxes = new SpscAtomicArrayQueue[config.maxMembers()];
        this.coreSignal = coreSignal;
        this.writerSignal = writerSignal;
        this.applierSignal = applierSignal;
        this.snapshotSignal = snapshotSignal;
        this.replicatorSignals = new Signal[config.maxMembers()];
        this.purgeLimit = ProgressPointer.monotonic("purgeLimit", 0, writerSignal);
        this.purged = ProgressPointer.monotonic("purged", 0);
        this.flushed = ProgressPointer.monotonic("flushed", 0, coreSignal);
        this.submitted = ProgressPointer.movable("submitted", 0, coreSignal);
        this.applyLimit = ProgressPointer.monotonic("applyLimit", 0, applierSignal);
        this.committed = ProgressPointer.monotonic("committed", 0);
        this.durable = ProgressPointer.movable("durable", 0);
        this.applied = ProgressPointer.monotonic("applied", 0, coreSignal);
        this.leaderTerm = ProgressPointer.movable("leaderTerm", -1);
        this.sharedSignal = sharedSignal;
        this.coreState = new CoreState(Role.FOLLOWER, 0, 0, Vote.INITIAL,
                new io.ringraft.api.Membership(java.util.Set.of(), java.util.Set.of(), false));
    }

    /** Position of {@code peerId} in {@link #peers}, or -1. */
    int peerSlot(long peerId) {
        int count = peerCount;
        for (int i = 0; i < count; i++) {
            if (peers[i] == peerId) {
                return i;
            }
        }
        return -1;
    }

    private final boolean sharedSignal;

    /**
     * The slot of {@code peerId}, creating it (with its outbox, signal and replicator) if this is a
     * new member. Core thread only (and the runtime before start).
     *
     * @return the slot, or -1 if {@code maxMembers} slots are taken
     */
    int slotFor(long peerId) {
        int slot = peerSlot(peerId);
        if (slot >= 0 || peerId == selfId) {
            return slot;
        }
        int count = peerCount;
        if (count == peers.length) {
            return -1;
        }
        peers[count] = peerId;
        // The engine sends at most the window of appends plus a few heartbeats and votes per peer.
        outboxes[count] = new SpscAtomicArrayQueue<>(config.maxInflightAppends() + 16);
        replicatorSignals[count] = sharedSignal ? coreSignal : new Signal();
        peerCount = count + 1;
        onPeerAdded.accept(count);
        return count;
    }

    /** Stops the node: the first failure wins and every task is woken to see it. */
    void fail(Throwable cause) {
        if (failure.compareAndSet(null, cause)) {
            wakeAll();
        }
    }

    boolean stopped() {
        return closing || failure.get() != null;
    }

    void wakeAll() {
        coreSignal.wake();
        writerSignal.wake();
        applierSignal.wake();
        snapshotSignal.wake();
        for (Signal signal : replicatorSignals) {
            if (signal != null) {
                signal.wake();
            }
        }
    }
}
