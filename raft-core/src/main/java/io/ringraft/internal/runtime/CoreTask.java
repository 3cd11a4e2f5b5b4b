package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.LogId;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.Effect;
import io.ringraft.internal.engine.EngineEffects;
import io.ringraft.internal.engine.LogRoom;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteResponse;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core task: owns the {@link RaftEngine}, feeds it ticks, messages, proposals and flush reports,
 * and carries out its {@link Effect effects} (ring writes, pointer updates, messages for the
 * replicators) after every call, in the order the engine produced them. It answers the engine's
 * {@link LogRoom} questions from the ring: how many entries go into one AppendEntries (byte budget)
 * and how many of a leader's entries the ring can take.
 *
 * <p>Runs as an Agrona {@link Agent} on one thread at a time (its own, a shared one, or the
 * simulator's). It never blocks: every queue it reads is bounded and polled, every queue it writes is
 * bounded and offered to (a full outbox drops the message; Raft retransmits).
 *
 * <p>Back-pressure it applies: proposals stay in their bounded queue while the ring has no room
 * (keeping one slot in reserve for a new leader's no-op); an AppendEntries is cut to the entries the
 * ring can take; a candidate holds off the inputs that could make it leader until its no-op fits.
 */
final class CoreTask implements Agent, LogRoom {

    private static final Logger LOG = LoggerFactory.getLogger(CoreTask.class);
    /** Room a configuration entry may need in the ring, kept free by proposals. */
    static final int CONFIG_ROOM = 4096;

    private final NodeContext ctx;
    private final EntryRing ring;
    private final ProposalOutcomes outcomes;
    private final NodeShutdown shutdown;
    private final long tickNanos;
    private final int maxCatchUpTicks;
    private RaftEngine engine;
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
    private final CoreForwarding forwarding;
    private final AdminRequests admin;

    CoreTask(NodeContext ctx, ProposalOutcomes outcomes, NodeShutdown shutdown) {
        this.ctx = ctx;
        this.ring = ctx.ring;
        this.outcomes = outcomes;
        this.shutdown = shutdown;
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
        ctx.durable.initialize(engine.durableIndex());
        ctx.committed.initialize(engine.commitIndex()); // a restored snapshot is committed: status agrees from the start
        ctx.applyLimit.initialize(engine.applyLimit());
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
            shutdown.taskStopped(NodeShutdown.CORE); // it reports what is pending once every task stopped
            return 0;
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
            runEffects();
        }
        return run;
    }

    private int pollFlushed() {
        long flushed = ctx.flushed.get();
        if (flushed <= engine.flushedSeq() || !mayBecomeLeader()) {
            return 0;
        }
        engine.onFlushed(flushed);
        runEffects();
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
                engine.receive(message);
                runEffects(); // appends copy the message's entries into the ring
            } finally {
                // The ring holds what the node keeps: the transport's memory can go back.
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
        return Math.max(reclaimable(), Math.min(ctx.submitted.get(), engine.lastLogId().index()));
    }

    /**
     * Ring entries up to here may be overwritten: applied, and handed to storage (a state machine
     * restored from a snapshot may be ahead of the log writer, which still needs the ring's entries).
     */
    long reclaimable() {
        return Math.min(ctx.applied.get(), ctx.submitted.get());
    }

    /** {@link LogRoom}: how many of a leader's entries the ring can take (the engine appends that many). */
    @Override
    public int acceptable(LogEntries entries, int fromOffset) {
        return ring.countFitting(entries, fromOffset, reclaimable());
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
            ctx.writerSignal.wake();
        }
    }

    private int pollReads() {
        int work = 0;
        PendingReads.Read read;
        while (work < ctx.config.maxPendingReads() && (read = ctx.reads.submitted.poll()) != null) {
            engine.readIndex(read.id);
            runEffects();
            work++;
        }
        return work;
    }

    private void readReady(long requestId, long readIndex) {
        PendingReads.Read read = ctx.reads.peek(requestId);
        if (read == null) {
            return;
        }
        read.readIndex = readIndex;
        // A node that stopped receiving the log (removed from the members) would never get there.
        read.applyDeadlineNanos = ctx.nanoClock.getAsLong() + 10L * ctx.config.electionTimeoutMillis() * 1_000_000L;
        if (!ctx.reads.ready.offer(read) && ctx.reads.take(requestId) != null) {
            read.future.completeExceptionally(new io.ringraft.api.RejectedException(
                    "too many reads waiting to be served (maxPendingReads " + ctx.config.maxPendingReads() + ")"));
            return;
        }
        ctx.applierSignal.wake();
    }

    private void readFailed(long requestId, long leaderHint, boolean busy) {
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
        if (ctx.proposals.isEmpty()) {
            return 0;
        }
        if (engine.role() == Role.LEADER && engine.transferringTo() != 0) {
            return 0; // handing leadership over: proposals wait (bounded) until it ends either way
        }
        long first = engine.nextProposalIndex();
        if (first < 0) {
            refusal = new NotLeaderException(ctx.selfId, engine.leaderId());
            return ctx.proposals.drain(refuseHandler, ctx.config.batchEntries());
        }
        // The engine chose where the commands go; they are copied there, as many as fit, then proposed.
        proposalTerm = engine.term();
        nextProposalIndex = first;
        proposalCount = 0;
        proposalReclaim = reclaimable();
        int read = ctx.proposals.drain(proposalHandler, ctx.config.batchEntries());
        if (proposalCount > 0) {
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
     * while keeping two slots and some bytes free beyond it: a future leader's no-op and a
     * configuration entry the engine appends on its own (leaving a joint configuration) must fit.
     * The only place commands enter the ring (proposals and forwarded commands alike).
     *
     * @return false if the ring has no room for it now (nothing is written)
     */
    boolean placeCommand(long index, long term, byte origin, long correlationId, byte[] payload,
                         int offset, int length, long reclaim) {
        if (!ring.makeRoom(index + 2, 0, reclaim) || !ring.makeRoom(index, length + CONFIG_ROOM, reclaim)) {
            return false;
        }
        ring.write(index, term, EntryKind.COMMAND, origin, correlationId, payload, offset, length);
        return true;
    }

    private boolean refuseProposal(byte origin, long correlationId, byte[] buffer, int offset, int length) {
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
        io.ringraft.spi.SnapshotInfo installed = ctx.installedSnapshot.get() == null
                || !ring.discardGuard().announceDiscard(0) ? null : ctx.installedSnapshot.getAndSet(null);
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
        io.ringraft.spi.SnapshotInfo latest = ctx.latestSnapshot.get();
        if (latest != null && latest.last().index() > engine.latestSnapshot().index()
                && latest.last().index() <= engine.commitIndex()) {
            engine.snapshotTaken(latest.last());
            runEffects();
            work++;
        }
        long purge = Math.min(engine.latestSnapshot().index() - ctx.config.snapshotLogTailEntries(),
                engine.commitIndex());
        if (purge > ctx.purgeLimit.get()) {
            engine.compactLog(purge);
            runEffects();
            ctx.purgeLimit.publish(purge); // wakes the log writer
            work++;
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
            truncateFrom(truncate.fromIndex());
        } else if (effect instanceof Effect.AppendConfig config) {
            appendConfig(config.entry(), config.payload());
        } else if (effect instanceof Effect.ResetLog reset) {
            resetLog(reset.base());
        } else if (effect instanceof Effect.SendSnapshot chunk) {
            sendSnapshot(chunk.peerId(), chunk.snapshot(), chunk.offset());
        } else if (effect instanceof Effect.InstallSnapshotChunk chunk) {
            installSnapshotChunk(chunk.chunk());
        } else {
            throw new IllegalStateException("unknown engine effect " + effect);
        }
    }

    private void truncateFrom(long index) {
        ring.truncateFrom(index);
        ctx.logCut.updateAndGet(cut -> cut == null ? new NodeContext.LogCut(null, index) : cut.truncate(index));
        acceptedDirty = true;
    }

    private void resetLog(LogId base) {
        ring.resetTo(base.index() + 1);
        // Any truncation still pending is moot: the reset discards everything.
        ctx.logCut.set(new NodeContext.LogCut(base, Long.MAX_VALUE));
        acceptedDirty = true;
    }

    private void sendSnapshot(long peerId, LogId snapshot, long offset) {
        int slot = ctx.slotFor(peerId);
        if (slot < 0) {
            ctx.droppedOutbound.incrementAndGet();
            return;
        }
        ctx.chunkRequests[slot].set(new NodeContext.ChunkRequest(engine.term(), snapshot, offset));
        ctx.replicatorSignals[slot].wake();
    }

    private void installSnapshotChunk(io.ringraft.message.InstallSnapshotRequest chunk) {
        if (!ctx.snapshotChunks.offer(chunk)) {
            ctx.droppedInbound.incrementAndGet(); // the leader sends it again after a timeout
            return;
        }
        ctx.applierSignal.wake();
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
        long applied = reclaimable();
        int end = append.fromOffset() + append.count();
        for (int i = append.fromOffset(); i < end; i++) {
            long index = entries.firstIndex() + i;
            var payload = entries.payloadAt(i);
            if (!ring.makeRoom(index, payload.length(), applied)) {
                throw new IllegalStateException("no ring room for replicated entry " + index
                        + " although the request was cut to fit");
            }
            ring.write(index, entries.termAt(i), entries.kindAt(i), ProposalOutcomes.NONE, 0, payload);
        }
        acceptedDirty = true;
    }

    void send(RaftMessage message) {
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

    private void stateChanged(Role newRole, long term, long leaderId) {
        if (role == Role.LEADER && newRole != Role.LEADER) {
            ctx.leaderTerm.publish(-1);
            failUncommittedLocal(new IndeterminateException("node " + ctx.selfId
                    + " lost leadership of term " + term + " before the command committed"));
        } else if (newRole == Role.LEADER) {
            ctx.leaderTerm.publish(term);
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
        // The commit index as of this effect (Limits effects before it published it), not the engine's
        // newest, which later effects of the same call may still be about to publish.
        failLocal(ctx.committed.get() + 1, reason);
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

    // ------------------------------------------------------------------ entries for replication

    /**
     * {@link LogRoom}: how many entries from {@code fromIndex} go into one AppendEntries, within
     * {@code maxBytesPerAppend}. Entries the ring no longer holds end the count (the replicator reads
     * them from storage within its own byte budget); entries appended in the current engine call are
     * not in the ring yet (their effects follow) and count as empty: only no-ops and configuration
     * entries are appended that way.
     */
    @Override
    public int sendable(long fromIndex, int count) {
        int maxBytes = ctx.config.maxBytesPerAppend();
        long bytes = 0;
        int n = 0;
        while (n < count) {
            long index = fromIndex + n;
            int length = ring.lengthAt(index);
            if (length == EntryRing.ABSENT) {
                if (index > ring.lastIndex()) {
                    // Appended in this very engine call (a no-op or a configuration entry, both small):
                    // its effect writes it into the ring before the replicator reads this message.
                    n++;
                    continue;
                }
                break; // not in the ring: the replicator reads storage, within its own byte budget
            }
            if (n > 0 && bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            n++;
        }
        return n == 0 ? count : n;
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
        ctx.durable.publish(engine.durableIndex()); // for status only
    }

    /** {@link Effect.Limits}: the commit index and the apply limit rose. */
    private void publishLimits(long commit, long applyLimit) {
        ctx.committed.publish(commit);
        ctx.applyLimit.advance(applyLimit); // wakes the applier
    }

    RaftEngine engine() {
        return engine;
    }
}
