package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.LogId;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.api.StorageFailedException;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.EngineOutput;
import io.ringraft.internal.engine.EntryReader;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteResponse;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core task: owns the {@link RaftEngine}, feeds it ticks, messages, proposals and flush reports,
 * and turns its outputs into ring writes, pointer updates and messages for the replicators.
 *
 * <p>Runs as an Agrona {@link Agent} on one thread at a time (its own, a shared one, or the
 * simulator's). It never blocks: every queue it reads is bounded and polled, every queue it writes is
 * bounded and offered to (a full outbox drops the message; Raft retransmits).
 *
 * <p>Back-pressure it applies: proposals stay in their bounded queue while the ring has no room
 * (keeping one slot in reserve for a new leader's no-op); an AppendEntries is cut to the entries the
 * ring can take; a candidate holds off the inputs that could make it leader until its no-op fits.
 */
final class CoreTask implements Agent, EngineOutput, EntryReader {

    private static final Logger LOG = LoggerFactory.getLogger(CoreTask.class);
    /** Room a configuration entry may need in the ring, kept free by proposals. */
    static final int CONFIG_ROOM = 4096;

    private final NodeContext ctx;
    private final EntryRing ring;
    private final ProposalOutcomes outcomes;
    private final long tickNanos;
    private final int maxCatchUpTicks;
    private RaftEngine engine;
    private long lastTickNanos;
    private boolean acceptedDirty;
    private Role role = Role.FOLLOWER;
    private boolean stoppedCleanly;
    private io.ringraft.internal.engine.ClusterConfig publishedConfig;
    private boolean warnedMembers;

    private final ControlledMessageHandler proposalHandler = this::onProposal;
    private final MessageHandler refuseHandler = this::refuseProposal;
    private long proposalTerm;
    private long nextProposalIndex;
    private int proposalCount;
    private RaftException refusal;
    private final CoreForwarding forwarding;
    private final AdminRequests admin;

    CoreTask(NodeContext ctx, ProposalOutcomes outcomes) {
        this.ctx = ctx;
        this.ring = ctx.ring;
        this.outcomes = outcomes;
        this.tickNanos = ctx.config.tickMillis() * 1_000_000L;
        this.maxCatchUpTicks = 2 * ctx.config.electionTimeoutTicks();
        this.forwarding = new CoreForwarding(this, ctx);
        this.admin = new AdminRequests(this, ctx);
    }

    /** Binds the engine (built by the runtime from recovered storage) before the first duty cycle. */
    void bind(RaftEngine engine) {
        this.engine = engine;
        this.lastTickNanos = ctx.nanoClock.getAsLong();
        ctx.accepted.set(engine.accepted());
        ctx.durableIndex.set(engine.durableIndex());
        ctx.committed.set(engine.commitIndex()); // a restored snapshot is committed: status agrees from the start
        publishedConfig = engine.clusterConfig();
        ctx.coreState = new NodeContext.CoreState(engine.role(), engine.term(), engine.leaderId(), engine.vote(),
                membershipView());
    }

    @Override
    public String roleName() {
        return "ringraft-core-" + ctx.groupId + "-" + ctx.selfId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            return stop();
        }
        // Messages that waited while this thread was descheduled go first: a heartbeat already here
        // must reset the election timer before the ticks that elapsed meanwhile are counted.
        int work = pollFlushed();
        work += pollInbound();
        work += tick();
        work += pollReads();
        work += admin.pollTransfer();
        work += admin.pollMembership();
        work += pollProposals();
        work += pollSnapshots();
        work += forwarding.pollForwards();
        publish();
        return work;
    }

    // ------------------------------------------------------------------ inputs

    private int tick() {
        long now = ctx.nanoClock.getAsLong();
        long elapsed = now - lastTickNanos;
        if (elapsed < tickNanos) {
            return 0;
        }
        long ticks = elapsed / tickNanos;
        lastTickNanos += ticks * tickNanos;
        int run = (int) Math.min(ticks, maxCatchUpTicks); // after a long pause, not a storm of ticks
        for (int i = 0; i < run; i++) {
            engine.tick();
        }
        return run;
    }

    private int pollFlushed() {
        long flushed = ctx.flushedSeq.get();
        if (flushed <= engine.flushedSeq() || !mayBecomeLeader()) {
            return 0;
        }
        engine.onFlushed(flushed);
        return 1;
    }

    private int pollInbound() {
        int work = 0;
        int limit = ctx.config.inboundQueueCapacity();
        RaftMessage message;
        while (work < limit && (message = ctx.inbound.peek()) != null) {
            if (message instanceof VoteResponse && !mayBecomeLeader()) {
                break; // leave it queued until the no-op fits
            }
            if (message instanceof io.ringraft.message.ForwardProposal
                    && !forwarding.outboxHasRoom(message.from(), CoreForwarding.FORWARD_RESERVE)) {
                break; // its answer could not be sent now: leave it queued until the replicator drained some
            }
            long discardFrom = message instanceof AppendEntriesRequest request ? conflictIndex(request) : -1;
            if (discardFrom >= 0 && !ring.discardGuard().announceDiscard(discardFrom)) {
                break; // it truncates entries the log writer is storing: leave it queued until it is done
            }
            ctx.inbound.poll();
            work++;
            if (message instanceof io.ringraft.message.ForwardProposal forward) {
                forwarding.onForwardProposal(forward);
                continue;
            }
            if (message instanceof io.ringraft.message.ForwardProposalResult result) {
                ctx.forwards.onResult(result, ctx.applied::get, ctx.nanoClock.getAsLong() + forwarding.applyWaitNanos());
                continue;
            }
            try {
                engine.receive(message instanceof AppendEntriesRequest request ? fitToRing(request) : message);
            } finally {
                // The engine copied what it keeps into the ring: the transport's memory can go back.
                io.ringraft.message.Releasable.release(message);
                if (discardFrom >= 0) {
                    discardDone();
                }
            }
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
        return Math.max(reclaimable(), Math.min(ctx.writtenIndex.get(), engine.lastLogId().index()));
    }

    /**
     * Ring entries up to here may be overwritten: applied, and handed to storage (a state machine
     * restored from a snapshot may be ahead of the log writer, which still needs the ring's entries).
     */
    long reclaimable() {
        return Math.min(ctx.applied.get(), ctx.writtenIndex.get());
    }

    /**
     * The index from which {@code request} would truncate the log (its first entry that conflicts
     * with one held here), or -1. Before the engine takes such a request, the core announces the
     * truncation to the log writer, which reads entries in place in the ring ({@link RingDiscardGuard}).
     */
    private long conflictIndex(AppendEntriesRequest request) {
        LogEntries entries = request.entries();
        long last = engine.lastLogId().index();
        long commit = engine.commitIndex();
        for (int i = 0; i < entries.count(); i++) {
            long index = entries.firstIndex() + i;
            if (index > last) {
                return -1;
            }
            // Committed entries are never truncated (they match the leader's).
            if (index > commit && engine.termAt(index) != entries.termAt(i)) {
                return index;
            }
        }
        return -1;
    }

    /** Ends a truncation or reset announced to the log writer, which may have backed off meanwhile. */
    private void discardDone() {
        if (ring.discardGuard().discardDone()) {
            ctx.writerSignal.wake();
        }
    }

    /** Cuts the request's entries to what the ring can hold; the leader sends the rest later. */
    private RaftMessage fitToRing(AppendEntriesRequest request) {
        LogEntries entries = request.entries();
        int count = entries.count();
        long last = engine.lastLogId().index();
        int firstNew = 0;
        while (firstNew < count) {
            long index = entries.firstIndex() + firstNew;
            if (index > last || engine.termAt(index) != entries.termAt(firstNew)) {
                break;
            }
            firstNew++;
        }
        if (firstNew == count) {
            return request;
        }
        int fitting = ring.countFitting(entries, firstNew, reclaimable());
        if (firstNew + fitting == count) {
            return request;
        }
        return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                new LogEntriesPrefix(entries, firstNew + fitting), request.leaderCommit());
    }

    private int pollReads() {
        int work = 0;
        PendingReads.Read read;
        while (work < ctx.config.maxPendingReads() && (read = ctx.reads.submitted.poll()) != null) {
            engine.readIndex(read.id);
            work++;
        }
        return work;
    }

    @Override
    public void readReady(long requestId, long readIndex) {
        PendingReads.Read read = ctx.reads.peek(requestId);
        if (read == null) {
            return;
        }
        read.readIndex = readIndex;
        if (!ctx.reads.ready.offer(read) && ctx.reads.take(requestId) != null) {
            read.future.completeExceptionally(new io.ringraft.api.RejectedException(
                    "too many reads waiting to be served (maxPendingReads " + ctx.config.maxPendingReads() + ")"));
            return;
        }
        ctx.applierSignal.wake();
    }

    @Override
    public void readFailed(long requestId, long leaderHint) {
        readFailed(requestId, leaderHint, false);
    }

    @Override
    public void readFailed(long requestId, long leaderHint, boolean busy) {
        PendingReads.Read read = ctx.reads.take(requestId);
        if (read != null) {
            read.future.completeExceptionally(busy
                    ? new io.ringraft.api.RejectedException("the read could not be confirmed in time (leader "
                    + leaderHint + " busy, or too many reads pending); retry")
                    : new NotLeaderException(ctx.selfId, leaderHint));
        }
    }

    void publishMembership() {
        publishedConfig = engine.clusterConfig();
        NodeContext.CoreState state = ctx.coreState;
        ctx.coreState = new NodeContext.CoreState(state.role(), state.term(), state.leaderId(), state.vote(),
                membershipView());
    }

    private io.ringraft.api.Membership membershipView() {
        io.ringraft.internal.engine.ClusterConfig config = engine.clusterConfig();
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
        if (ctx.proposals.size() == 0) {
            return 0;
        }
        if (engine.role() == Role.LEADER && engine.transferringTo() != 0) {
            return 0; // handing leadership over: proposals wait (bounded) until it ends either way
        }
        if (engine.role() != Role.LEADER) {
            refusal = new NotLeaderException(ctx.selfId, engine.leaderId());
            return ctx.proposals.read(refuseHandler, ctx.config.batchEntries());
        }
        proposalTerm = engine.term();
        nextProposalIndex = engine.lastLogId().index() + 1;
        proposalCount = 0;
        int read = ctx.proposals.controlledRead(proposalHandler, ctx.config.batchEntries());
        if (proposalCount > 0) {
            long first = engine.propose(proposalCount);
            if (first != nextProposalIndex - proposalCount) {
                throw new IllegalStateException("engine placed proposals at " + first + ", ring at "
                        + (nextProposalIndex - proposalCount));
            }
        }
        return read;
    }

    private ControlledMessageHandler.Action onProposal(int origin, MutableDirectBuffer buffer, int offset,
                                                       int length) {
        long correlationId = buffer.getLong(offset);
        int payloadLength = length - Long.BYTES;
        long applied = reclaimable();
        // Keep two slots and some bytes free beyond this entry: a future leader's no-op and a
        // configuration entry the engine appends on its own (leaving a joint configuration) must fit.
        if (!ring.makeRoom(nextProposalIndex + 2, 0, applied)
                || !ring.makeRoom(nextProposalIndex, payloadLength + CONFIG_ROOM, applied)) {
            return ControlledMessageHandler.Action.ABORT;
        }
        ring.write(nextProposalIndex, proposalTerm, EntryKind.COMMAND, (byte) origin, correlationId, buffer,
                offset + Long.BYTES, payloadLength);
        nextProposalIndex++;
        proposalCount++;
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void refuseProposal(int origin, MutableDirectBuffer buffer, int offset, int length) {
        outcomes.failed((byte) origin, buffer.getLong(offset), refusal);
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
        io.ringraft.spi.SnapshotInfo installed = ctx.installedSnapshot.get() == null
                || !ring.discardGuard().announceDiscard(0) ? null : ctx.installedSnapshot.getAndSet(null);
        if (installed != null) {
            io.ringraft.internal.engine.ClusterConfig config;
            try {
                config = io.ringraft.internal.engine.ClusterConfig.decode(installed.membership());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("snapshot " + installed.last() + " holds an unreadable membership", e);
            }
            engine.installSnapshot(installed.last(), config);
            // Commands proposed here that the snapshot covers were applied elsewhere: results unknown here.
            failLocal(ring.firstIndex(), installed.last().index(), new IndeterminateException("node " + ctx.selfId
                    + " replaced its state by a snapshot up to " + installed.last() + "; the command is in it"));
            discardDone();
            work++;
        }
        io.ringraft.spi.SnapshotInfo latest = ctx.latestSnapshot.get();
        if (latest != null && latest.last().index() > engine.latestSnapshot().index()
                && latest.last().index() <= engine.commitIndex()) {
            engine.snapshotTaken(latest.last());
            work++;
        }
        long purge = Math.min(engine.latestSnapshot().index() - ctx.config.snapshotLogTailEntries(),
                engine.commitIndex());
        if (purge > ctx.purgeTo.get()) {
            engine.compactLog(purge);
            ctx.purgeTo.set(purge);
            ctx.writerSignal.wake();
            work++;
        }
        return work;
    }

    // ------------------------------------------------------------------ outputs (EngineOutput)

    @Override
    public void saveVote(long seq, Vote vote) {
        acceptedDirty = true;
    }

    @Override
    public void truncateFrom(long seq, long index) {
        ring.truncateFrom(index);
        ctx.logCut.updateAndGet(cut -> cut == null ? new NodeContext.LogCut(null, index) : cut.truncate(index));
        acceptedDirty = true;
    }

    @Override
    public void resetLog(long seq, LogId base) {
        ring.resetTo(base.index() + 1);
        // Any truncation still pending is moot: the reset discards everything.
        ctx.logCut.set(new NodeContext.LogCut(base, Long.MAX_VALUE));
        acceptedDirty = true;
    }

    @Override
    public void sendSnapshot(long peerId, LogId snapshot, long offset) {
        int slot = ctx.slotFor(peerId);
        if (slot < 0) {
            ctx.droppedOutbound.incrementAndGet();
            return;
        }
        ctx.chunkRequests[slot].set(new NodeContext.ChunkRequest(engine.term(), snapshot, offset));
        ctx.replicatorSignals[slot].wake();
    }

    @Override
    public void installSnapshotChunk(io.ringraft.message.InstallSnapshotRequest chunk) {
        if (!ctx.snapshotChunks.offer(chunk)) {
            ctx.droppedInbound.incrementAndGet(); // the leader sends it again after a timeout
            return;
        }
        ctx.applierSignal.wake();
    }

    @Override
    public void appendNoop(long seq, LogId entry) {
        if (!ring.makeRoom(entry.index(), 0, noopReclaimBound())) {
            throw new IllegalStateException("no ring slot for the no-op " + entry + " although one was checked");
        }
        ring.write(entry.index(), entry.term(), EntryKind.NOOP, ProposalOutcomes.NONE, 0, null, 0, 0);
        acceptedDirty = true;
    }

    @Override
    public void appendConfig(long seq, LogId entry, byte[] payload) {
        if (!ring.makeRoom(entry.index(), payload.length, noopReclaimBound())) {
            throw new IllegalStateException("no ring room for configuration entry " + entry
                    + " although room was kept for it");
        }
        ring.write(entry.index(), entry.term(), EntryKind.CONFIG, ProposalOutcomes.NONE, 0,
                new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
        acceptedDirty = true;
    }

    @Override
    public void appendProposals(long seq, long firstIndex, long term, int count) {
        if (ring.lastIndex() != firstIndex + count - 1) {
            throw new IllegalStateException("engine appended " + firstIndex + "+" + count
                    + " but the ring ends at " + ring.lastIndex());
        }
        acceptedDirty = true;
    }

    @Override
    public void appendReplicated(long seq, LogEntries entries, int fromOffset) {
        long applied = reclaimable();
        for (int i = fromOffset; i < entries.count(); i++) {
            long index = entries.firstIndex() + i;
            var payload = entries.payloadAt(i);
            int length = payload.capacity();
            if (!ring.makeRoom(index, length, applied)) {
                throw new IllegalStateException("no ring room for replicated entry " + index
                        + " although the request was cut to fit");
            }
            ring.write(index, entries.termAt(i), entries.kindAt(i), ProposalOutcomes.NONE, 0, payload, 0, length);
        }
        acceptedDirty = true;
    }

    @Override
    public void send(RaftMessage message) {
        int slot = ctx.slotFor(message.to());
        if (slot < 0) {
            if (!warnedMembers) {
                warnedMembers = true;
                LOG.warn("node {} has more members to replicate to than maxMembers ({}); dropping messages to {}",
                        ctx.selfId, ctx.config.maxMembers(), message.to());
            }
            ctx.droppedOutbound.incrementAndGet();
            return;
        }
        if (!ctx.outboxes[slot].offer(message)) {
            ctx.droppedOutbound.incrementAndGet();
            return;
        }
        ctx.replicatorSignals[slot].wake();
    }

    @Override
    public void committed(long index) {
        // published in publish()
    }

    @Override
    public void stateChanged(Role newRole, long term, long leaderId) {
        if (role == Role.LEADER && newRole != Role.LEADER) {
            ctx.leaderTerm.set(-1);
            failUncommittedLocal(new IndeterminateException("node " + ctx.selfId
                    + " lost leadership of term " + term + " before the command committed"));
        } else if (newRole == Role.LEADER) {
            ctx.leaderTerm.set(term);
            LOG.info("node {} of group {} is leader of term {}", ctx.selfId, ctx.groupId, term);
        }
        role = newRole;
        ctx.coreState = new NodeContext.CoreState(newRole, term, leaderId, engine.vote(), membershipView());
        if (ctx.stateListener != null) {
            try {
                ctx.stateListener.onStateChange(ctx.statusView.get());
            } catch (RuntimeException e) {
                LOG.warn("state listener of node {} threw", ctx.selfId, e);
            }
        }
    }

    /** Reports every local, uncommitted proposal as failed and forgets its origin. */
    private void failUncommittedLocal(RaftException reason) {
        failLocal(engine.commitIndex() + 1, reason);
    }

    private void failLocal(long fromIndex, RaftException reason) {
        failLocal(fromIndex, ring.lastIndex(), reason);
    }

    private void failLocal(long fromIndex, long toIndex, RaftException reason) {
        long from = Math.max(fromIndex, ring.firstIndex());
        for (long index = from; index <= Math.min(toIndex, ring.lastIndex()); index++) {
            byte origin = ring.originAt(index);
            if (origin != ProposalOutcomes.NONE) {
                long correlationId = ring.correlationAt(index);
                ring.clearOrigin(index);
                outcomes.failed(origin, correlationId, reason);
            }
        }
    }

    // ------------------------------------------------------------------ entries for replication

    @Override
    public LogEntries read(long fromIndex, int count) {
        int maxBytes = ctx.config.maxBytesPerAppend();
        long bytes = 0;
        int n = 0;
        while (n < count) {
            int length = ring.lengthAt(fromIndex + n);
            if (length == EntryRing.ABSENT) {
                break; // not in the ring: the replicator reads storage, within its own byte budget
            }
            if (n > 0 && bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            n++;
        }
        return new RingRange(fromIndex, n == 0 ? count : n);
    }

    // ------------------------------------------------------------------ publishing

    private void publish() {
        if (acceptedDirty) {
            acceptedDirty = false;
            ctx.accepted.set(engine.accepted());
            ctx.writerSignal.wake();
        }
        if (engine.clusterConfig() != publishedConfig
                || engine.membershipChangePending() != ctx.coreState.membership().changing()) {
            publishMembership();
        }
        long commit = engine.commitIndex();
        long durable = engine.durableIndex();
        ctx.committed.set(commit);
        ctx.durableIndex.set(durable);
        long limit = Math.min(commit, durable);
        if (limit > ctx.applyLimit.get()) {
            ctx.applyLimit.set(limit);
            ctx.applierSignal.wake();
        }
    }

    // ------------------------------------------------------------------ stopping

    private int stop() {
        if (stoppedCleanly) {
            return 0;
        }
        stoppedCleanly = true;
        Throwable failure = ctx.failure.get();
        RaftException reason = failure != null
                ? new StorageFailedException("node " + ctx.selfId + " stopped: " + failure.getMessage(), failure)
                : new NodeStoppedException("node " + ctx.selfId + " was closed");
        if (failure != null) {
            LOG.error("node {} of group {} stopped after a failure; it acknowledges nothing more",
                    ctx.selfId, ctx.groupId, failure);
        }
        ctx.leaderTerm.set(-1);
        // In the log but not applied here: it may commit (or have committed) without us.
        RaftException inLog = failure != null ? reason : new IndeterminateException("node " + ctx.selfId
                + " was closed before the command's result was applied");
        if (engine != null) {
            failLocal(ctx.applied.get() + 1, inLog);
        }
        failQueuedProposals(failure != null ? reason : new NodeStoppedException("node " + ctx.selfId
                + " was closed"), inLog);
        ctx.reads.failAll(new NodeStoppedException("node " + ctx.selfId + " stopped before the read was served"));
        ctx.forwards.failAll(failure != null ? reason : new IndeterminateException("node " + ctx.selfId
                + " was closed before the forwarded command's result was applied"));
        NodeContext.TransferRequest transfer = ctx.transfer.get();
        if (transfer != null) {
            admin.finishTransfer(transfer, new NodeStoppedException("node " + ctx.selfId + " stopped"));
        }
        ctx.coreState = new NodeContext.CoreState(Role.FOLLOWER, ctx.coreState.term(), 0, ctx.coreState.vote(),
                ctx.coreState.membership());
        NodeContext.MembershipRequest change = ctx.membershipChange.get();
        if (change != null) {
            admin.finishMembership(change, failure != null ? reason : new IndeterminateException("node " + ctx.selfId
                    + " was closed during the membership change"));
        }
        return 1;
    }

    /**
     * Fails every proposal still queued with {@code queued}, then every future still pending (their
     * entries are in the log) with {@code inLog}. Called when stopping, and by the runtime once the
     * task threads have ended.
     */
    void failQueuedProposals(RaftException queued, RaftException inLog) {
        refusal = queued;
        while (ctx.proposals.read(refuseHandler) > 0) {
            // drain
        }
        outcomes.failAllFutures(inLog);
    }

    RaftEngine engine() {
        return engine;
    }
}
