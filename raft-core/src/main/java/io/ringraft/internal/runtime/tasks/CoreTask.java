package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.LogId;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.Effect;
import io.ringraft.internal.engine.EngineEffects;
import io.ringraft.internal.engine.LogRoom;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.StateListener;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.internal.runtime.CommitFreshness;
import io.ringraft.internal.runtime.LeaderWatch;
import io.ringraft.internal.runtime.NodeShutdown;
import io.ringraft.internal.runtime.ProgressPointer;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.internal.runtime.requests.Forwards;
import io.ringraft.internal.runtime.requests.MembershipRequest;
import io.ringraft.internal.runtime.requests.PendingReads;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.requests.TransferRequest;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.ring.RingDiscardGuard;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteResponse;
import io.ringraft.internal.runtime.requests.ProposalQueue;
import io.ringraft.spi.RaftMetrics;
import io.ringraft.spi.SnapshotInfo;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core task: owns the {@link RaftEngine}, feeds it ticks, messages, proposals and flush reports,
 * and carries out its {@link Effect effects} (ring writes, pointer updates, messages for the
 * replicators) after every call, in the order the engine produced them. The engine's {@link LogRoom}
 * questions are answered from the ring by {@link RingRoom}.
 *
 * <p>Built by {@code NodeRuntime} with exactly what it touches: the engine, the ring, the pointers it
 * publishes (their only writer) and reads ({@link Pointers}), the queues and requests it consumes
 * ({@link Inputs}), and where it hands work to the other tasks ({@link Outputs}).
 *
 * <p>Runs as an Agrona {@link Agent} on one thread at a time (its own, a shared one, or the
 * simulator's). It never blocks: every queue it reads is bounded and polled, every queue it writes is
 * bounded and offered to (a full outbox drops the message; Raft retransmits).
 *
 * <p>Back-pressure it applies: proposals stay in their bounded queue while the ring has no room
 * (keeping slots in reserve for later leaders' no-ops); an AppendEntries is cut to the entries the
 * ring can take (which, once everything committed is applied, may overwrite uncommitted entries
 * stored durably: {@code RingRoom.evictable()}); a candidate holds off the inputs that could make it
 * leader until its no-op fits.
 */
public final class CoreTask implements Agent {

    /**
     * The pointers the core publishes, as their only writer ({@code accepted} and {@code logCut} for the
     * log writer, {@code purgeLimit}, {@code committed}, {@code applyLimit}, {@code durable},
     * {@code leaderTerm}, and the role, term and leader in {@code state}), and the ones it reads
     * ({@code flushed} and {@code submitted} of the log writer, {@code applied} of the applier).
     */
    public record Pointers(AtomicReference<IoId> accepted, AtomicReference<LogCut> logCut, ProgressPointer purgeLimit,
                    ProgressPointer committed, ProgressPointer applyLimit, ProgressPointer durable,
                    ProgressPointer leaderTerm, AtomicReference<CoreState> state,
                    ProgressView flushed, ProgressView submitted, ProgressView applied) {
    }

    /**
     * What the core takes in, as the only consumer of each: proposals and inbound messages, reads
     * (it also hands them to the applier when ready), forwarded commands, the application's leadership
     * transfer and membership change, and a snapshot the applier installed from the leader; the
     * newest durable snapshot, which it reads; and the peers a host reported unreachable, where it
     * also publishes whether the node is quiet ({@link PeerLiveness}).
     */
    public record Inputs(ProposalQueue proposals, MessagePassingQueue<RaftMessage> inbound, PendingReads reads,
                  Forwards forwards, AtomicReference<TransferRequest> transfer,
                  AtomicReference<MembershipRequest> membershipChange, AtomicReference<SnapshotInfo> installedSnapshot,
                  AtomicReference<SnapshotInfo> latestSnapshot, PeerLiveness liveness) {
    }

    /**
     * Where the core hands work to the other tasks: the peers' outboxes and chunk requests, the
     * applier's queue of snapshot chunks from the leader, the signals of the log writer and the
     * applier, the counters of messages dropped on the way out and in, and the ready leader it
     * publishes ({@link LeaderWatch}), where it reports measurements, each follower's match index
     * by peer slot as it last published it (for the status; -1 for none), and what it heard of the
     * leader's commit index and when ({@link CommitFreshness}).
     */
    public record Outputs(Peers peers, MessagePassingQueue<InstallSnapshotRequest> snapshotChunks, Signal writerSignal,
                   Signal applierSignal, AtomicLong droppedOutbound, AtomicLong droppedInbound,
                   LeaderWatch leaderWatch, RaftMetrics metrics, AtomicLongArray followerMatch,
                   CommitFreshness freshness) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(CoreTask.class);
    /** Room a configuration entry may need in the ring, kept free by proposals. */
    static final int CONFIG_ROOM = 4096;

    private final long groupId;
    private final long selfId;
    private final RaftConfig config;
    /** The leader commit indexes this replica heard, and when (reads bounded by time). */
    private final CommitFreshness freshness;
    private final LongSupplier nanoClock;
    private final RaftEngine engine;
    private final EntryRing ring;
    /**
     * Ring slots past a command that commands may not take ({@link #placeCommand}): room for the no-ops
     * and configuration entries of later leaders. A leader can commit nothing before an entry of its own
     * term (its no-op), and a candidate whose ring has no slot for that no-op does not take leadership; if
     * commands could fill the ring, a run of leaders that each appended a no-op but committed nothing
     * would leave every node with a ring full of uncommitted entries, and no leader could ever commit
     * again. An eighth of the ring (at least 2) makes that take that many leaderships in a row.
     */
    private final int reservedSlots;
    private final RingRoom room;
    private final AtomicReference<IoId> accepted;
    private final AtomicReference<LogCut> logCut;
    private final ProgressPointer purgeLimit;
    private final ProgressPointer committed;
    private final ProgressPointer applyLimit;
    private final ProgressPointer durable;
    private final ProgressPointer leaderTerm;
    private final AtomicReference<CoreState> state;
    private final ProgressView flushed;
    private final ProgressView submitted;
    private final ProgressView applied;
    private final ProposalQueue proposals;
    private final MessagePassingQueue<RaftMessage> inbound;
    private final PendingReads reads;
    private final Forwards forwards;
    private final AtomicReference<SnapshotInfo> installedSnapshot;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final Peers peers;
    private final MessagePassingQueue<InstallSnapshotRequest> snapshotChunks;
    private final Signal writerSignal;
    private final Signal applierSignal;
    private final AtomicLong droppedOutbound;
    private final AtomicLong droppedInbound;
    private final LeaderWatch leaderWatch;
    private final AtomicReference<TransferRequest> transfer;
    /** Told about role, term and leader changes; may be null. */
    private final StateListener stateListener;
    private final Supplier<RaftStatus> status;
    private final StopState stop;
    private final ProposalOutcomes outcomes;
    private final NodeShutdown shutdown;
    private final long tickNanos;
    /** The election log line, with the longest gap between tick passes (idle ticks slept through left out). */
    private final CampaignLog campaignLog;
    private final int maxCatchUpTicks;
    /** A gap between ticks longer than this many ticks means the core was starved (see {@link #tick()}). */
    private final int starvedAfterTicks;
    private long lastTickNanos;
    private boolean acceptedDirty;
    private Role role = Role.FOLLOWER;
    private io.ringraft.internal.engine.membership.ClusterConfig publishedConfig;
    private boolean warnedMembers;

    private final ProposalQueue.Handler proposalHandler = this::onProposal;
    private final ProposalQueue.Handler refuseHandler = this::refuseProposal;
    private long proposalTerm;
    private long nextProposalIndex;
    private int proposalCount;
    /** The ring's reclaim line while a batch of proposals is read (fixed for the batch). */
    private long proposalReclaim;
    private RaftException refusal;
    /** The term whose first entry this node saw committed (see {@link #publishReadyLeader}), or -1. */
    private long readyTerm = -1;
    private final CoreForwarding forwarding;
    private final AdminRequests admin;
    private final RaftMetrics metrics;
    /** Whether {@link #metrics} wants latencies (the clock is read only then). */
    private final boolean timed;
    private final CommitTimer commitTimer = new CommitTimer();
    /**
     * Per replicator slot, the follower's match index as this leader last published it (once per tick),
     * -1 for a slot whose peer is no member; read by the status on any thread.
     */
    private final AtomicLongArray followerMatch;
    /** Whether the failure was reported to the state listener (once). */
    private boolean failureReported;
    private final PeerLiveness liveness;
    private final java.util.function.LongConsumer unreachableHandler = this::onPeerUnreachable;
    private final Runnable unreachableOverflow = this::onUnreachableOverflow;
    /** Whether the engine was quiet at the end of the last cycle (as published to {@link #liveness}). */
    private boolean quiet;

    /**
     * @param engine        built from the recovered storage, asking {@code room} about the ring; the
     *                      pointers start where it stands ({@code accepted}, {@code durable},
     *                      {@code committed}, {@code applyLimit}), set so by the caller
     * @param stateListener told about role, term and leader changes on this task's thread, with the
     *                      node's {@code status}; may be null
     */
    public CoreTask(long groupId, long selfId, RaftConfig config, LongSupplier nanoClock, RaftEngine engine, EntryRing ring,
             RingRoom room, Pointers pointers, Inputs inputs, Outputs outputs, StateListener stateListener,
             Supplier<RaftStatus> status, StopState stop, ProposalOutcomes outcomes, NodeShutdown shutdown) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.config = config;
        this.nanoClock = nanoClock;
        this.engine = engine;
        this.ring = ring;
        this.reservedSlots = Math.max(2, ring.capacity() / 8);
        this.room = room;
        this.accepted = pointers.accepted();
        this.logCut = pointers.logCut();
        this.purgeLimit = pointers.purgeLimit();
        this.committed = pointers.committed();
        this.applyLimit = pointers.applyLimit();
        this.durable = pointers.durable();
        this.leaderTerm = pointers.leaderTerm();
        this.state = pointers.state();
        this.flushed = pointers.flushed();
        this.submitted = pointers.submitted();
        this.applied = pointers.applied();
        this.proposals = inputs.proposals();
        this.inbound = inputs.inbound();
        this.reads = inputs.reads();
        this.forwards = inputs.forwards();
        this.installedSnapshot = inputs.installedSnapshot();
        this.latestSnapshot = inputs.latestSnapshot();
        this.peers = outputs.peers();
        this.snapshotChunks = outputs.snapshotChunks();
        this.writerSignal = outputs.writerSignal();
        this.applierSignal = outputs.applierSignal();
        this.droppedOutbound = outputs.droppedOutbound();
        this.droppedInbound = outputs.droppedInbound();
        this.leaderWatch = outputs.leaderWatch();
        this.transfer = inputs.transfer();
        this.liveness = inputs.liveness();
        this.stateListener = stateListener;
        this.status = status;
        this.stop = stop;
        this.outcomes = outcomes;
        this.shutdown = shutdown;
        this.tickNanos = config.tickMillis() * 1_000_000L;
        this.campaignLog = new CampaignLog(groupId, selfId, tickNanos);
        this.maxCatchUpTicks = 2 * config.electionTimeoutTicks();
        this.starvedAfterTicks = Math.max(1, config.electionTimeoutTicks() / 2);
        this.forwarding = new CoreForwarding(this, selfId, config, nanoClock, peers, forwards);
        this.admin = new AdminRequests(this, selfId, config, nanoClock, ring, inputs.transfer(),
                inputs.membershipChange());
        this.metrics = outputs.metrics();
        this.timed = metrics != RaftMetrics.NONE;
        this.followerMatch = outputs.followerMatch();
        this.freshness = outputs.freshness();
        for (int i = 0; i < followerMatch.length(); i++) {
            followerMatch.set(i, -1);
        }
        this.lastTickNanos = nanoClock.getAsLong();
        this.publishedConfig = engine.clusterConfig();
        state.set(new CoreState(engine.role(), engine.term(), engine.leaderId(), engine.vote(), membershipView()));
    }

    @Override
    public String roleName() {
        return "ringraft-core-" + groupId + "-" + selfId;
    }

    @Override
    public int doWork() {
        if (stop.stopped()) {
            shutdown.taskStopped(NodeShutdown.CORE); // it reports what is pending once every task stopped
            reportFailure();
            return 0;
        }
        // Messages that waited while this thread was descheduled go first: a heartbeat already here
        // must reset the election timer before the ticks that elapsed meanwhile are counted.
        int work = pollLiveness();
        work += pollFlushed();
        work += countSleptTicks();
        work += pollInbound();
        work += tick();
        work += pollReads();
        work += admin.pollTransfer();
        work += admin.pollMembership();
        work += pollProposals();
        work += pollSnapshots();
        work += forwarding.pollForwards();
        work += demandForForwards();
        publish();
        return work;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Counts the ticks that elapsed while the thread slept and that the engine said would only count
     * ({@link RaftEngine#idleTicks()}), before the messages that woke it: they came before those
     * messages. The ticks past them (which may act) go after the messages, in {@link #tick()}, as when
     * the thread was descheduled: a heartbeat already here resets the election timer first. A gap longer
     * than the core ever sleeps on purpose is a stall, left whole to {@link #tick()}.
     */
    private int countSleptTicks() {
        if (quiet) {
            return 0;
        }
        long elapsed = nanoClock.getAsLong() - lastTickNanos;
        if (elapsed < tickNanos || elapsed / tickNanos > starvedAfterTicks) {
            return 0; // nothing slept through, or a stall: tick() decides what of it counts
        }
        int ticks = (int) Math.min(elapsed / tickNanos, engine.idleTicks());
        for (int i = 0; i < ticks; i++) {
            engine.tick();
            runEffects(); // none, by idleTicks()'s contract (the engine harness checks it)
        }
        lastTickNanos += ticks * tickNanos;
        return ticks;
    }

    /**
     * How long the core's thread may park when it has no work (its own thread or a node's shared one):
     * until the first tick that may act ({@link RaftEngine#idleTicks()}), instead of every tick, but not
     * for as long as half an election timeout (a gap {@link #tick()} takes for a stall of the thread) nor
     * more than {@code maxNanos}. Every other event (a message, a proposal, a flush) wakes it through its
     * signal. A tick at a time while forwards wait for answers or a transfer or membership change runs:
     * those watch the clock themselves. Core thread.
     *
     * @param maxNanos the longest park
     * @return the nanoseconds to park at most
     */
    public long parkNanos(long maxNanos) {
        if (stop.stopped() || forwarding.waiting() || admin.busy()) {
            return Math.min(maxNanos, tickNanos);
        }
        if (quiet) {
            return maxNanos;
        }
        // Never longer than a gap tick() takes for a stall: an idle core sleeps at most just under half an
        // election timeout, so a longer gap always means the thread did not run when it meant to.
        long idle = Math.min(engine.idleTicks(), starvedAfterTicks - 1L);
        long due = lastTickNanos + (idle + 1) * tickNanos - nanoClock.getAsLong();
        return Math.max(0, Math.min(maxNanos, due));
    }

    private int tick() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastTickNanos;
        if (elapsed < tickNanos) {
            return 0;
        }
        long ticks = elapsed / tickNanos;
        lastTickNanos += ticks * tickNanos;
        campaignLog.tickGap(elapsed);
        if (quiet) {
            // The time since the last tick passed while the node was quiet (its scheduler may not even
            // have run it): those ticks are dropped, or a node woken by a message in this cycle would
            // count them at once and time out.
            return 0;
        }
        int run = (int) Math.min(ticks, maxCatchUpTicks); // after a long pause, not a storm of ticks
        if (run > starvedAfterTicks && (role != Role.LEADER || !config.leaseReads())) {
            // This core did not run for more than half an election timeout (CPU starvation, a GC pause):
            // what it missed it cannot tell from a peer gone silent, and the peers' messages may simply
            // not have been read yet. A follower counts at most half an election timeout of such a gap,
            // so a stall of its own never makes it campaign against a live leader; a leader counts none
            // of it and starts its check-quorum window afresh, so it never steps down from followers that
            // were answering; a peer that is really gone is noticed after the timeout of running time. Liveness only: a follower that
            // counts fewer ticks keeps its vote lease longer, which is safe. With lease reads a leader
            // counts every tick: its lease must never outlast real time.
            if (role == Role.LEADER) {
                engine.coreStalled(); // restarts its check-quorum window, heartbeats now: no catch-up ticks
                runEffects();
                run = 0;
            } else {
                run = starvedAfterTicks;
            }
        }
        for (int i = 0; i < run; i++) {
            engine.tick();
            runEffects();
        }
        if (role == Role.LEADER) {
            publishFollowerMatches();
        }
        return run;
    }

    /** Peers a host reported unreachable go to the engine ({@link PeerLiveness}), and demand for a leader. */
    private int pollLiveness() {
        int work = liveness.drain(unreachableHandler, unreachableOverflow);
        if (liveness.takeDemand()) {
            engine.demand();
            runEffects();
            work++;
        }
        return work;
    }

    /**
     * A dormant node ({@code RaftConfig.startDormant}) with proposals waiting to be forwarded to a leader it
     * does not know: that is demand, it campaigns ({@code RaftEngine.demand()}).
     */
    private int demandForForwards() {
        if (!engine.dormant() || !forwarding.waiting()) {
            return 0;
        }
        engine.demand();
        runEffects();
        return 1;
    }

    private void onPeerUnreachable(long nodeId) {
        engine.peerUnreachable(nodeId);
        runEffects();
    }

    private void onUnreachableOverflow() {
        engine.wake();
        runEffects();
    }

    private int pollFlushed() {
        long seq = flushed.get();
        if (seq <= engine.flushedSeq() || !mayBecomeLeader()) {
            return 0;
        }
        engine.onFlushed(seq);
        runEffects();
        return 1;
    }

    private int pollInbound() {
        int work = 0;
        int limit = config.inboundQueueCapacity();
        RaftMessage message;
        while (work < limit && (message = inbound.peek()) != null) {
            if (message instanceof VoteResponse && !mayBecomeLeader()) {
                break; // leave it queued until the no-op fits
            }
            if (message instanceof io.ringraft.message.ForwardProposal && forwarding.answerBlocked(message.from())) {
                break; // its answer could not be sent now: leave it queued until the replicator drained some
            }
            long discardFrom = message instanceof AppendEntriesRequest request ? conflictIndex(request) : -1;
            if (discardFrom >= 0 && !ring.discardGuard().announceDiscard(discardFrom)) {
                break; // it truncates entries the log writer is storing: leave it queued until it is done
            }
            inbound.poll();
            work++;
            if (message instanceof io.ringraft.message.ForwardProposal forward) {
                forwarding.onForwardProposal(forward);
                continue;
            }
            if (message instanceof io.ringraft.message.ForwardProposalResult result) {
                forwards.onResult(result, applied::get, nanoClock.getAsLong() + forwarding.applyWaitNanos());
                continue;
            }
            try {
                engine.receive(message);
                if (message instanceof AppendEntriesRequest request && engine.term() == request.term()
                        && engine.leaderId() == request.from()) { // the leader's commit, as sent
                    freshness.observeLeaderCommit(nanoClock.getAsLong(), request.leaderCommit(),
                            engine.termAt(request.leaderCommit()), request.term());
                }
                runEffects(); // appends copy the message's entries into the ring
            } finally {
                // The ring holds what the node keeps: the transport's memory can go back.
                io.ringraft.message.Releasable.release(message);
                if (discardFrom >= 0) {
                    discardDone();
                }
            }
        }
        if (work > 0) {
            metrics.messagesReceived(work);
        }
        return work;
    }

    /**
     * A candidate may become leader inside the next engine call, and must then write its no-op:
     * make sure a slot is free (reclaiming entries already handed to storage if need be).
     */
    private boolean mayBecomeLeader() {
        if (engine.role() != Role.CANDIDATE) {
            return true;
        }
        return ring.makeRoom(engine.lastLogId().index() + 1, 0, noopReclaimBound());
    }

    private long noopReclaimBound() {
        return room.noopReclaimable(engine.lastLogId().index());
    }

    /** Ring entries up to here may be overwritten ({@link RingRoom#reclaimable()}). */
    long reclaimable() {
        return room.reclaimable();
    }

    /**
     * The index from which {@code request} would truncate the log (its first entry that conflicts
     * with one held here), or -1. Before the engine takes such a request, the core announces the
     * truncation to the log writer, which reads entries in place in the ring ({@link RingDiscardGuard}).
     */
    private long conflictIndex(AppendEntriesRequest request) {
        return engine.conflictIndex(request);
    }

    /** Ends a truncation or reset announced to the log writer, which may have backed off meanwhile. */
    private void discardDone() {
        if (ring.discardGuard().discardDone()) {
            writerSignal.wake();
        }
    }

    private int pollReads() {
        int work = 0;
        PendingReads.Read read;
        while (work < config.maxPendingReads() && (read = reads.submitted.poll()) != null) {
            engine.readIndex(read.id);
            runEffects();
            work++;
        }
        return work;
    }

    private void readReady(long requestId, long readIndex) {
        PendingReads.Read read = reads.peek(requestId);
        if (read == null) {
            return;
        }
        read.readIndex = readIndex;
        // A node that stopped receiving the log (removed from the members) would never get there.
        read.applyDeadlineNanos = nanoClock.getAsLong() + 10L * config.electionTimeoutMillis() * 1_000_000L;
        if (!reads.ready.offer(read) && reads.take(requestId) != null) {
            read.future.completeExceptionally(new io.ringraft.api.RejectedException(
                    "too many reads waiting to be served (maxPendingReads " + config.maxPendingReads() + ")"));
            return;
        }
        applierSignal.wake();
    }

    private void readFailed(long requestId, long leaderHint, boolean busy) {
        PendingReads.Read read = reads.take(requestId);
        if (read != null) {
            read.future.completeExceptionally(busy
                    ? new io.ringraft.api.RejectedException("the read could not be confirmed in time (leader "
                    + leaderHint + " busy, or too many reads pending); retry")
                    : new NotLeaderException(selfId, leaderHint));
        }
    }

    void publishMembership() {
        publishedConfig = engine.clusterConfig();
        CoreState current = state.get();
        state.set(new CoreState(current.role(), current.term(), current.leaderId(), current.vote(), membershipView()));
    }

    private io.ringraft.api.Membership membershipView() {
        io.ringraft.internal.engine.membership.ClusterConfig config = engine.clusterConfig();
        java.util.Set<Long> voters = new java.util.TreeSet<>();
        for (long v : config.voters()) {
            voters.add(v);
        }
        for (long v : config.outgoing()) {
            voters.add(v);
        }
        java.util.Set<Long> learners = new java.util.TreeSet<>();
        for (long l : config.learners()) {
            learners.add(l);
        }
        return new io.ringraft.api.Membership(voters, learners, engine.membershipChangePending());
    }

    private int pollProposals() {
        if (proposals.isEmpty()) {
            return 0;
        }
        if (engine.role() == Role.LEADER && engine.transferringTo() != 0) {
            return 0; // handing leadership over: proposals wait (bounded) until it ends either way
        }
        long first = engine.nextProposalIndex();
        if (first < 0) {
            refusal = new NotLeaderException(selfId, engine.leaderId());
            return proposals.drain(refuseHandler, config.batchEntries());
        }
        // The engine chose where the commands go; they are copied there, as many as fit, then proposed.
        proposalTerm = engine.term();
        nextProposalIndex = first;
        proposalCount = 0;
        proposalReclaim = reclaimable();
        int read = proposals.drain(proposalHandler, config.batchEntries());
        if (proposalCount > 0) {
            if (timed) {
                commitTimer.placed(nextProposalIndex - 1, proposalCount, nanoClock.getAsLong());
            }
            engine.propose(proposalCount);
            runEffects();
        }
        return read;
    }

    /** Moves one queued proposal into the ring; false (it stays queued) if the ring has no room. */
    private boolean onProposal(byte origin, long correlationId, byte[] buffer, int offset, int length) {
        if (!placeCommand(nextProposalIndex, proposalTerm, origin, correlationId, buffer, offset, length,
                proposalReclaim)) {
            return false;
        }
        nextProposalIndex++;
        proposalCount++;
        return true;
    }

    /**
     * Copies a command into the ring at {@code index}, the place the engine chose for it, if it fits
     * while keeping {@link #reservedSlots} slots and some bytes free beyond it: later leaders' no-ops and a
     * configuration entry the engine appends on its own (leaving a joint configuration) must fit.
     * The only place commands enter the ring (proposals and forwarded commands alike).
     *
     * @return false if the ring has no room for it now (nothing is written)
     */
    boolean placeCommand(long index, long term, byte origin, long correlationId, byte[] payload,
                         int offset, int length, long reclaim) {
        if (!ring.makeRoom(index + reservedSlots, 0, reclaim) || !ring.makeRoom(index, length + CONFIG_ROOM, reclaim)) {
            return false;
        }
        ring.write(index, term, EntryKind.COMMAND, origin, correlationId, payload, offset, length);
        return true;
    }

    private boolean refuseProposal(byte origin, long correlationId, byte[] buffer, int offset, int length) {
        metrics.proposalRejected(RaftMetrics.Rejection.NOT_LEADER);
        outcomes.failed(origin, correlationId, refusal);
        return true;
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Tells the engine about snapshots: one the applier installed from the leader (the engine moves
     * its log onto it and answers the leader), and the newest durable one (a leader sends it to
     * followers that fell behind the log). Then lets the log writer purge what the newest snapshot
     * covers, less the configured tail.
     */
    private int pollSnapshots() {
        int work = 0;
        // Read first: no write on the hot path. Installing may reset the log: not while the log writer
        // stores entries it would discard.
        io.ringraft.spi.SnapshotInfo installed = installedSnapshot.get() == null
                || !ring.discardGuard().announceDiscard(0) ? null : installedSnapshot.getAndSet(null);
        if (installed != null) {
            io.ringraft.internal.engine.membership.ClusterConfig config;
            try {
                config = io.ringraft.internal.engine.membership.ClusterConfig.decode(installed.membership());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("snapshot " + installed.last() + " holds an unreadable membership", e);
            }
            // The applier reported the local proposals the snapshot covers before it published them applied.
            engine.installSnapshot(installed.last(), config);
            runEffects();
            discardDone();
            work++;
        }
        io.ringraft.spi.SnapshotInfo latest = latestSnapshot.get();
        if (latest != null && latest.last().index() > engine.latestSnapshot().index()
                && latest.last().index() <= engine.commitIndex()) {
            engine.snapshotTaken(latest.last());
            runEffects();
            work++;
        }
        if (role == Role.LEADER) {
            work += pollUnavailableSnapshots();
        }
        long purge = purgeTarget();
        if (purge > purgeLimit.get()) {
            engine.compactLog(purge);
            runEffects();
            purgeLimit.publish(purge); // wakes the log writer
            work++;
        }
        return work;
    }

    /**
     * How far the log may be purged now: up to the newest snapshot less its tail (and no further than
     * the commit index), but not past what a follower still needs from the log (its match, or the
     * snapshot being sent to it: {@code engine.purgeFloor()}) unless that lies more than
     * {@code followerRetentionEntries} below the newest snapshot.
     */
    private long purgeTarget() {
        long snapshot = engine.latestSnapshot().index();
        long wanted = Math.min(snapshot - config.snapshotLogTailEntries(), engine.commitIndex());
        long floor = engine.purgeFloor();
        if (floor >= wanted) {
            return wanted;
        }
        return Math.min(wanted, Math.max(floor, snapshot - config.snapshotLogTailEntries()
                - config.followerRetentionEntries()));
    }

    /** Snapshots a sender could not read any more: those transfers start over with the newest. */
    private int pollUnavailableSnapshots() {
        int work = 0;
        for (int slot = 0, n = peers.count(); slot < n; slot++) {
            java.util.concurrent.atomic.AtomicReference<ChunkRequest> request = peers.chunkRequest(slot);
            ChunkRequest answer = request.get();
            if (answer != null && answer.unavailable() && request.compareAndSet(answer, null)) {
                if (answer.term() == engine.term()) {
                    engine.snapshotUnavailable(peers.peerAt(slot), answer.snapshot());
                    runEffects();
                }
                work++;
            }
        }
        return work;
    }

    // ------------------------------------------------------------------ effects

    /**
     * Carries out the effects the engine produced in its last call, in their order, then forgets
     * them. Called right after every engine call, before anything else reads the ring or the inbound
     * message the call was given.
     */
    void runEffects() {
        EngineEffects effects = engine.effects();
        if (effects.isEmpty()) {
            return;
        }
        java.util.List<Effect> list = effects.list();
        for (int i = 0; i < list.size(); i++) { // by index: no iterator on the hot path
            execute(list.get(i));
        }
        effects.clear();
    }

    private void execute(Effect effect) {
        if (effect instanceof Effect.Send send) {
            send(send.message());
        } else if (effect instanceof Effect.AppendProposals) {
            acceptedDirty = true; // the commands are in the ring already, where the engine placed them
        } else if (effect instanceof Effect.AppendReplicated append) {
            appendReplicated(append);
        } else if (effect instanceof Effect.Limits limits) {
            publishLimits(limits.commitIndex(), limits.applyLimit());
        } else if (effect instanceof Effect.SaveVote) {
            acceptedDirty = true; // the log writer saves the vote carried by the accepted pointer
        } else if (effect instanceof Effect.AppendNoop noop) {
            appendNoop(noop.entry());
        } else if (effect instanceof Effect.StateChanged change) {
            stateChanged(change.role(), change.term(), change.leaderId());
        } else if (effect instanceof Effect.ReadReady ready) {
            readReady(ready.requestId(), ready.readIndex());
        } else if (effect instanceof Effect.ReadFailed failed) {
            readFailed(failed.requestId(), failed.leaderHint(), failed.busy());
        } else if (effect instanceof Effect.Truncate truncate) {
            truncateFrom(truncate.fromIndex(), truncate.seq());
        } else if (effect instanceof Effect.AppendConfig config) {
            appendConfig(config.entry(), config.payload());
        } else if (effect instanceof Effect.ResetLog reset) {
            resetLog(reset.base(), reset.seq());
        } else if (effect instanceof Effect.SendSnapshot chunk) {
            sendSnapshot(chunk.peerId(), chunk.snapshot(), chunk.offset());
        } else if (effect instanceof Effect.InstallSnapshotChunk chunk) {
            installSnapshotChunk(chunk.chunk());
        } else {
            throw new IllegalStateException("unknown engine effect " + effect);
        }
    }

    private void truncateFrom(long index, long seq) {
        ring.truncateFrom(index);
        room.discarded(index, seq);
        logCut.updateAndGet(cut -> cut == null ? new LogCut(null, index) : cut.truncate(index));
        acceptedDirty = true;
    }

    private void resetLog(LogId base, long seq) {
        ring.resetTo(base.index() + 1);
        room.discarded(base.index() + 1, seq);
        // Any truncation still pending is moot: the reset discards everything.
        logCut.set(new LogCut(base, Long.MAX_VALUE));
        acceptedDirty = true;
    }

    private void sendSnapshot(long peerId, LogId snapshot, long offset) {
        int slot = peers.slotFor(peerId);
        if (slot < 0) {
            droppedOutbound.incrementAndGet();
            return;
        }
        peers.chunkRequest(slot).set(new ChunkRequest(engine.term(), snapshot, offset));
        peers.signal(slot).wake();
    }

    private void installSnapshotChunk(io.ringraft.message.InstallSnapshotRequest chunk) {
        if (!snapshotChunks.offer(chunk)) {
            droppedInbound.incrementAndGet(); // the leader sends it again after a timeout
            return;
        }
        applierSignal.wake();
    }

    private void appendNoop(LogId entry) {
        if (!ring.makeRoom(entry.index(), 0, noopReclaimBound())) {
            throw new IllegalStateException("no ring slot for the no-op " + entry + " although one was checked");
        }
        ring.write(entry.index(), entry.term(), EntryKind.NOOP, ProposalOutcomes.NONE, 0, null, 0, 0);
        acceptedDirty = true;
    }

    private void appendConfig(LogId entry, byte[] payload) {
        if (!ring.makeRoom(entry.index(), payload.length, noopReclaimBound())) {
            throw new IllegalStateException("no ring room for configuration entry " + entry
                    + " although room was kept for it");
        }
        ring.write(entry.index(), entry.term(), EntryKind.CONFIG, ProposalOutcomes.NONE, 0, payload, 0,
                payload.length);
        acceptedDirty = true;
    }

    private void appendReplicated(Effect.AppendReplicated append) {
        LogEntries entries = append.entries();
        // The bound the room counted with (RingRoom.acceptable); it can only have risen since.
        long bound = room.evictable();
        int end = append.fromOffset() + append.count();
        for (int i = append.fromOffset(); i < end; i++) {
            long index = entries.firstIndex() + i;
            var payload = entries.payloadAt(i);
            if (!ring.makeRoom(index, payload.length(), bound)) {
                throw new IllegalStateException("no ring room for replicated entry " + index
                        + " although the request was cut to fit");
            }
            ring.write(index, entries.termAt(i), entries.kindAt(i), ProposalOutcomes.NONE, 0, payload);
        }
        acceptedDirty = true;
    }

    void send(RaftMessage message) {
        int slot = peers.slotFor(message.to());
        if (slot < 0) {
            if (!warnedMembers) {
                warnedMembers = true;
                LOG.warn("node {} has more members to replicate to than maxMembers ({}); dropping messages to {}",
                        selfId, config.maxMembers(), message.to());
            }
            droppedOutbound.incrementAndGet();
            return;
        }
        if (!peers.outbox(slot).offer(message)) {
            droppedOutbound.incrementAndGet();
            return;
        }
        peers.signal(slot).wake();
    }

    private void stateChanged(Role newRole, long term, long leaderId) {
        if ((newRole == Role.PRE_CANDIDATE || newRole == Role.CANDIDATE) && newRole != role) {
            campaignLog.campaign(engine.lastCampaign(), newRole, role, term);
        }
        if (role == Role.LEADER && newRole != Role.LEADER) {
            long ledTerm = leaderTerm.get();
            RaftMetrics.StepDown reason = stepDownReason(ledTerm, term);
            LOG.info("node {} of group {} stepped down as leader of term {}: {}; now {} in term {}{}", selfId,
                    groupId, ledTerm, describe(reason), newRole, term,
                    leaderId != 0 ? ", leader " + leaderId : "");
            leaderTerm.publish(-1);
            commitTimer.clear();
            for (int i = 0; i < followerMatch.length(); i++) {
                followerMatch.set(i, -1);
            }
            metrics.steppedDown(ledTerm, reason);
            failUncommittedLocal(new IndeterminateException("node " + selfId
                    + " lost leadership of term " + term + " before the command committed"));
        } else if (newRole == Role.LEADER) {
            leaderTerm.publish(term);
            LOG.info("node {} of group {} is leader of term {}", selfId, groupId, term);
            metrics.becameLeader(term);
        }
        role = newRole;
        if (newRole == Role.LEADER) {
            publishFollowerMatches();
        }
        state.set(new CoreState(newRole, term, leaderId, engine.vote(), membershipView()));
        if (stateListener != null) {
            try {
                stateListener.onStateChange(status.get());
            } catch (RuntimeException e) {
                LOG.warn("state listener of node {} threw", selfId, e);
            }
        }
    }

    /**
     * Why leadership of {@code ledTerm} ended, now that the node is in {@code term}: only a vote request
     * or a leader of a later term raise it (a transfer's target campaigns in the next term, so a transfer
     * under way names that); in the same term, a leader steps down only when a committed configuration
     * left it out of the voters, or by check-quorum.
     */
    private RaftMetrics.StepDown stepDownReason(long ledTerm, long term) {
        if (term > ledTerm) {
            TransferRequest transfer = this.transfer.get();
            return transfer != null && transfer.started ? RaftMetrics.StepDown.TRANSFER
                    : RaftMetrics.StepDown.HIGHER_TERM;
        }
        return engine.clusterConfig().isVoter(selfId) ? RaftMetrics.StepDown.LOST_QUORUM
                : RaftMetrics.StepDown.REMOVED;
    }

    private static String describe(RaftMetrics.StepDown reason) {
        return switch (reason) {
            case HIGHER_TERM -> "saw a higher term (another node started an election)";
            case TRANSFER -> "handed leadership over (transferLeadership)";
            case LOST_QUORUM -> "heard from no quorum within an election timeout (check-quorum)";
            case REMOVED -> "no longer a voter (membership change committed)";
        };
    }

    /** The leader's per-follower match indexes, for the status (core thread, once per tick). */
    private void publishFollowerMatches() {
        int count = peers.count();
        for (int slot = 0; slot < count; slot++) {
            followerMatch.lazySet(slot, engine.matchIndexOf(peers.peerAt(slot)));
        }
    }

    /** The match index of the follower in replicator slot {@code slot} as last published; -1 if none. Any thread. */
    long followerMatch(int slot) {
        return followerMatch.get(slot);
    }

    /** Tells the state listener, once, that the node fail-stopped (core thread, the first cycle that sees it). */
    private void reportFailure() {
        if (failureReported || stop.failure() == null) {
            return;
        }
        failureReported = true;
        if (stateListener != null) {
            try {
                stateListener.onStateChange(status.get());
            } catch (RuntimeException e) {
                LOG.warn("state listener of node {} threw", selfId, e);
            }
        }
    }

    /** Reports every local, uncommitted proposal as failed and forgets its origin. */
    private void failUncommittedLocal(RaftException reason) {
        // The commit index as of this effect (Limits effects before it published it), not the engine's
        // newest, which later effects of the same call may still be about to publish.
        failLocal(committed.get() + 1, reason);
    }

    private void failLocal(long fromIndex, RaftException reason) {
        for (long index = Math.max(fromIndex, ring.firstIndex()); index <= ring.lastIndex(); index++) {
            byte origin = ring.originAt(index);
            if (origin != ProposalOutcomes.NONE) {
                long correlationId = ring.correlationAt(index);
                ring.clearOrigin(index);
                outcomes.failed(origin, correlationId, reason);
            }
        }
    }

    // ------------------------------------------------------------------ publishing

    private void publish() {
        if (acceptedDirty) {
            acceptedDirty = false;
            accepted.set(engine.accepted());
            writerSignal.wake();
        }
        if (engine.clusterConfig() != publishedConfig
                || engine.membershipChangePending() != state.get().membership().changing()) {
            publishMembership();
        }
        durable.publish(engine.durableIndex()); // for status only
        publishReadyLeader();
        if (engine.quiesced() != quiet) {
            quiet = !quiet;
            liveness.publishQuiesced(quiet);
        }
        if (quiet) {
            releaseIdleMemory();
        }
        if (liveness.dormant() && !engine.dormant()) {
            liveness.publishDormant(false);
        }
    }

    /**
     * A quiet node hands back its ring's tables and arena and its proposal queue's array, once every entry
     * the ring holds may be reclaimed (applied and handed to storage: the applier wakes this core when it
     * gets there); the next write or proposal allocates them again ({@link EntryRing#releaseUpTo},
     * {@link ProposalQueue#release}). Once the ring is released, the tasks that read it are woken to hand back
     * their views over it at their next idle cycle ({@code RingEntries#releaseIfRingReleased}). The tables
     * that hold nothing now go too: the pending futures' table, the engine's read tables and append marks, the
     * commit timer's, and all but the newest commit-freshness sample; each is allocated again by its next use.
     */
    private void releaseIdleMemory() {
        if (ring.isAllocated() && ring.releaseUpTo(room.reclaimable())) {
            // The tasks that read the ring hand back their views' tables at their next idle cycle.
            writerSignal.wake();
            applierSignal.wake();
            peers.wakeSenders();
        }
        proposals.release();
        outcomes.releaseIdle();
        engine.releaseIdleMemory();
        commitTimer.releaseIdle();
        freshness.releaseIdle();
    }

    /**
     * The leader of the current term, once this node's commit index has reached an entry of that term
     * (so the leader serves now), else 0: {@link LeaderWatch}. Looks the commit index's term up only until
     * it is found for a term; then a comparison per cycle.
     */
    private void publishReadyLeader() {
        long leader = engine.leaderId();
        long term = engine.term();
        if (leader != 0 && readyTerm != term && engine.termAt(engine.commitIndex()) == term) {
            readyTerm = term;
        }
        leaderWatch.publish(leader != 0 && readyTerm == term ? leader : 0);
    }

    /** {@link Effect.Limits}: the commit index and the apply limit rose. */
    private void publishLimits(long commit, long applyLimit) {
        committed.publish(commit);
        if (engine.role() == Role.LEADER) {
            freshness.observeLeaderCommit(nanoClock.getAsLong(), commit, engine.termAt(commit), engine.term());
        }
        if (timed && commitTimer.pending() > 0) {
            commitTimer.committed(commit, nanoClock.getAsLong(), metrics);
        }
        this.applyLimit.advance(applyLimit); // wakes the applier
    }

    public RaftEngine engine() {
        return engine;
    }
}
