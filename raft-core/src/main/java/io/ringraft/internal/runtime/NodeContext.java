package io.ringraft.internal.runtime;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.IoId;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.StateMachine;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * Everything the tasks of one node share: the ring, the bounded queues and the progress pointers.
 *
 * <p>Each pointer has exactly one writer (named on the field) and is read by the others; a writer
 * that moves a pointer wakes the tasks that watch it. Pointers only move forward, except
 * {@link #truncateFloor}, which the log writer consumes. Created by {@link NodeRuntime}; the tasks
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
    java.util.function.IntConsumer onPeerAdded = slot -> { };
    final RaftConfig config;
    final LongSupplier nanoClock;
    final EntryRing ring;
    final LogStorage storage;
    final StateMachine stateMachine;
    final ProposalListener listener;
    final PendingFutures futures;
    final PendingReads reads;
    /** At most one leadership transfer asked for by the application; the core completes it. */
    final AtomicReference<TransferRequest> transfer = new AtomicReference<>();
    RaftTransport transport;
    /** Told about role, term and leader changes on the core thread; may be null. */
    io.ringraft.api.StateListener stateListener;
    /** Builds the status view handed to {@link #stateListener}. */
    java.util.function.Supplier<io.ringraft.api.RaftStatus> statusView;

    /** Proposals from any thread to the core: [correlation id (8 bytes)][payload]. */
    final ManyToOneRingBuffer proposals;
    /** Inbound messages from the transport to the core. */
    final MpscArrayQueue<RaftMessage> inbound;
    /** Outgoing messages from the core to each peer's replicator (index as in {@link #peers}). */
    final SpscArrayQueue<RaftMessage>[] outboxes;

    // ---------------------------------------------------------------- pointers
    /** core: the newest storage state handed to the log writer. */
    final AtomicReference<IoId> accepted = new AtomicReference<>();
    /** core lowers, log writer consumes: lowest index truncated since the log writer last looked. */
    final AtomicLong truncateFloor = new AtomicLong(Long.MAX_VALUE);
    /** log writer: the highest storage sequence made durable. */
    final AtomicLong flushedSeq = new AtomicLong();
    /** log writer: the last index handed to storage (readable there). */
    final AtomicLong writtenIndex = new AtomicLong();
    /** core: entries up to here may be applied: min(committed, durable locally). */
    final AtomicLong applyLimit = new AtomicLong();
    /** core: the commit index. */
    final AtomicLong committed = new AtomicLong();
    /** core: the highest index durable locally (the flushed pointer as an index). */
    final AtomicLong durableIndex = new AtomicLong();
    /** applier: the last applied index. */
    final AtomicLong applied = new AtomicLong();
    /** core: the term this node leads, or -1. Replicators drop messages of any other term. */
    final AtomicLong leaderTerm = new AtomicLong(-1);
    /** core: role, term, leader and vote, replaced whenever one changes. */
    volatile CoreState coreState;
    /** any task: the error that stopped the node (fail-stop), or null. */
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** set by close(): tasks stop. */
    volatile boolean closing;

    // ---------------------------------------------------------------- signals
    final Signal coreSignal;
    final Signal writerSignal;
    final Signal applierSignal;
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
                LogStorage storage, StateMachine stateMachine, ProposalListener listener,
                Signal coreSignal, Signal writerSignal, Signal applierSignal, boolean sharedSignal) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.peers = new long[config.maxMembers()];
        this.config = config;
        this.nanoClock = nanoClock;
        this.storage = storage;
        this.stateMachine = stateMachine;
        this.listener = listener;
        this.ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        this.futures = new PendingFutures(config.maxPendingFutures());
        this.reads = new PendingReads(config.maxPendingReads());
        int proposalBytes = config.proposalQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH;
        this.proposals = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(proposalBytes)));
        this.inbound = new MpscArrayQueue<>(config.inboundQueueCapacity());
        this.outboxes = new SpscArrayQueue[config.maxMembers()];
        this.coreSignal = coreSignal;
        this.writerSignal = writerSignal;
        this.applierSignal = applierSignal;
        this.replicatorSignals = new Signal[config.maxMembers()];
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
        outboxes[count] = new SpscArrayQueue<>(config.maxInflightAppends() + 16);
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
        for (Signal signal : replicatorSignals) {
            if (signal != null) {
                signal.wake();
            }
        }
    }
}
