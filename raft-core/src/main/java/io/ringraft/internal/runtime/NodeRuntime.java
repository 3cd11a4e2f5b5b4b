package io.ringraft.internal.runtime;

import io.ringraft.api.LogId;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.internal.engine.EngineConfig;
import io.ringraft.internal.engine.LogTerms;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.engine.RecoveredState;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs one node: recovers storage, builds the engine, the ring, the queues and the
 * tasks (core, log writer, applier, one replicator per peer), and runs the tasks according to the
 * {@link Threading} placement.
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
         * No threads: the caller runs {@link #agents()} itself, on its own threads (for example many
         * nodes' agents on a few shared Agrona {@code AgentRunner}s), or one step at a time (the
         * deterministic simulator).
         */
        MANUAL
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final NodeContext ctx;
    private final CoreTask core;
    private final LogWriterTask writer;
    private final ApplierTask applier;
    private final SnapshotTask snapshots;
    private final NodeShutdown shutdown;
    /** Replicators by slot; the core adds one when a new member appears (copy-on-write: read anywhere). */
    private volatile List<PeerSender> replicators = List.of();
    private final Threading threading;
    private final RaftTransportFactory transportFactory;
    private final TaskPlacement placement;
    private volatile boolean closed;

    /**
     * Opens storage and recovers; does not start any task yet.
     *
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, RaftTransportFactory transportFactory, ProposalListener listener,
                       Threading threading, LongSupplier nanoClock, RandomGenerator random) {
        this(groupId, selfId, voters, config, stateMachine, storage, null, transportFactory, listener, threading,
                nanoClock, random);
    }

    /**
     * Opens storage and the snapshot store (if any), restores the state machine from the newest
     * snapshot and reconciles the log with it; does not start any task yet.
     *
     * @param snapshotStore where snapshots go, or null: the node then takes none and keeps its whole log
     * @throws UncheckedIOException if storage cannot be opened or holds an inconsistent state
     */
    public NodeRuntime(long groupId, long selfId, long[] voters, RaftConfig config, StateMachine stateMachine,
                       LogStorage storage, SnapshotStore snapshotStore, RaftTransportFactory transportFactory,
                       ProposalListener listener, Threading threading, LongSupplier nanoClock, RandomGenerator random) {
        this.threading = threading;
        this.transportFactory = transportFactory;
        Signal coreSignal = new Signal();
        Signal writerSignal = new Signal();
        Signal applierSignal = new Signal();
        Signal snapshotSignal = new Signal();
        if (threading == Threading.SHARED) {
            writerSignal = coreSignal;
            applierSignal = coreSignal;
            snapshotSignal = coreSignal;
        }
        this.ctx = new NodeContext(groupId, selfId, config, nanoClock, storage, snapshotStore, stateMachine, listener,
                coreSignal, writerSignal, applierSignal, snapshotSignal, threading == Threading.SHARED);
        this.placement = new TaskPlacement(threading, ctx::fail);
        ctx.onPeerAdded = this::addReplicator;
        ProposalOutcomes outcomes = new ProposalOutcomes(listener, ctx.futures);
        this.shutdown = new NodeShutdown(ctx, outcomes);
        LogState state;
        LogTerms terms;
        List<io.ringraft.internal.engine.membership.ConfigEntry> configs;
        SnapshotInfo snapshot;
        try {
            state = storage.open();
            snapshot = snapshotStore == null ? null : snapshotStore.latest().orElse(null);
            state = Recovery.reconcile(storage, state, snapshot);
            if (snapshot != null) {
                Recovery.restore(stateMachine, snapshotStore, snapshot);
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
        EngineConfig engineConfig = new EngineConfig(selfId, voters, config.electionTimeoutTicks(),
                config.heartbeatIntervalTicks(), config.preVote(), config.checkQuorum(),
                config.maxInflightAppends(), config.maxEntriesPerAppend(), config.maxPendingReads(),
                config.leaseTicks());
        this.core = new CoreTask(ctx, outcomes, shutdown);
        LogId snapshotLast = snapshot == null ? LogId.ZERO : snapshot.last();
        io.ringraft.internal.engine.membership.ClusterConfig snapshotConfig;
        try {
            snapshotConfig = snapshot == null ? null : Recovery.membershipOf(snapshot);
        } catch (IOException e) {
            closeAfterFailedStart(storage, snapshotStore, e);
            throw new UncheckedIOException("node " + selfId + " of group " + groupId + ": " + e.getMessage(), e);
        }
        RaftEngine engine = new RaftEngine(engineConfig, new RecoveredState(state.vote(), terms, 0, configs,
                snapshotLast, snapshotConfig), random, core);
        ctx.ring.resetTo(state.last().index() + 1);
        ctx.latestSnapshot.set(snapshot);
        core.bind(engine);
        this.writer = new LogWriterTask(ctx, state.vote(), state.base().index(), state.last().index());
        // The state machine holds the snapshot's state (or none): applying resumes after it.
        byte[] membership = snapshot != null ? snapshot.membership()
                : io.ringraft.internal.engine.membership.ClusterConfig.of(voters, new long[0]).encode();
        this.applier = new ApplierTask(ctx, outcomes, shutdown, snapshotLast, membership);
        this.snapshots = new SnapshotTask(ctx, shutdown);
        for (long voter : voters) {
            ctx.slotFor(voter); // replicators for the initial members; later ones come with the configuration
        }
        LOG.info("node {} of group {} recovered: vote {}, log after {} up to {}", selfId, groupId,
                state.vote(), state.base(), state.last());
    }

    /**
     * Wraps a streaming state machine so that it can be passed where a {@link StateMachine} is taken: the
     * node's applier then hands it committed commands as a stream ({@link ApplyStream}) instead of
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

    /** Sets the listener told about role, term and leader changes (before {@link #start()}). */
    public void stateListener(io.ringraft.api.StateListener listener) {
        ctx.stateListener = listener;
        ctx.statusView = this::status;
    }

    /** Connects the transport and starts the task threads (none in {@link Threading#MANUAL}). */
    public void start() {
        ctx.transport = transportFactory.connect(ctx.groupId, ctx.selfId, this::offerInbound);
        List<Agent> others = new ArrayList<>();
        List<Signal> signals = new ArrayList<>();
        others.add(writer);
        signals.add(ctx.writerSignal);
        others.add(applier);
        signals.add(ctx.applierSignal);
        if (ctx.snapshotStore != null) {
            others.add(snapshots);
            signals.add(ctx.snapshotSignal);
        }
        for (PeerSender sender : replicators) {
            others.add(sender);
            signals.add(ctx.replicatorSignals[sender.slot()]);
        }
        placement.start(core, ctx.coreSignal, ctx.config.tickMillis() * 1_000_000L, others, signals);
    }

    /** A new member got replicator slot {@code slot} (core thread, or the constructor). */
    private void addReplicator(int slot) {
        PeerSender replicator = new PeerSender(ctx, slot);
        List<PeerSender> next = new ArrayList<>(replicators);
        next.add(replicator);
        replicators = List.copyOf(next);
        placement.add(replicator, ctx.replicatorSignals[slot]);
    }

    /** All tasks of this node, core first (for {@link Threading#MANUAL} stepping). */
    public List<Agent> agents() {
        List<Agent> agents = new ArrayList<>();
        agents.add(core);
        agents.add(writer);
        agents.add(applier);
        if (ctx.snapshotStore != null) {
            agents.add(snapshots);
        }
        agents.addAll(replicators);
        return agents;
    }

    private boolean offerInbound(io.ringraft.message.RaftMessage message) {
        if (ctx.stopped()) {
            // A stopped node will never read: take the message and drop it, so that a transport does
            // not pause a connection it shares with other, healthy nodes waiting for room here.
            ctx.droppedInbound.incrementAndGet();
            io.ringraft.message.Releasable.release(message);
            return true;
        }
        if (!ctx.inbound.offer(message)) {
            ctx.droppedInbound.incrementAndGet();
            return false;
        }
        ctx.coreSignal.wake();
        return true;
    }

    // ------------------------------------------------------------------ proposals

    /**
     * Queues a proposal for the core. Waits up to the configured time for room (real time, on the
     * caller's thread: with {@link Threading#MANUAL} on a single thread nothing would make room, so
     * the simulator uses no wait).
     *
     * @return true if queued; false if the queue stayed full, the node is stopped, or the payload is
     *         larger than {@code maxEntryBytes}
     * @throws IndexOutOfBoundsException if the range is outside {@code payload}
     */
    public boolean tryPropose(byte origin, long correlationId, byte[] payload, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, payload.length);
        return queueProposal(origin, correlationId, payload, offset, length, null);
    }

    /**
     * Queues the bytes {@code payload} has remaining as a proposal, as
     * {@link #tryPropose(byte, long, byte[], int, int)} does; the buffer's position does not move.
     */
    public boolean tryPropose(byte origin, long correlationId, java.nio.ByteBuffer payload) {
        return queueProposal(origin, correlationId, null, 0, payload.remaining(), payload);
    }

    /** Queues a payload given either as an array range or (when {@code buffer} is not null) a buffer. */
    private boolean queueProposal(byte origin, long correlationId, byte[] array, int offset, int length,
                                  java.nio.ByteBuffer buffer) {
        if (length > ctx.config.maxEntryBytes() || ctx.stopped()) {
            return false;
        }
        long deadline = 0;
        while (true) {
            boolean queued = buffer == null
                    ? ctx.proposals.offer(origin, correlationId, array, offset, length)
                    : ctx.proposals.offer(origin, correlationId, buffer);
            if (queued) {
                ctx.coreSignal.wake();
                checkLateSubmission();
                return true;
            }
            long waitMillis = ctx.config.proposalWaitMillis();
            if (waitMillis == 0 || ctx.stopped()) {
                return false;
            }
            long now = System.nanoTime(); // the caller's own real-time wait, not the node's clock
            if (deadline == 0) {
                deadline = now + waitMillis * 1_000_000L;
            } else if (now - deadline >= 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000L);
        }
    }

    /**
     * Starts a linearizable read of {@code query}; false if too many reads are in flight or the node
     * is stopped (the future is then left untouched).
     */
    public boolean tryRead(byte[] query, java.util.concurrent.CompletableFuture<Object> future) {
        if (ctx.stopped() || !ctx.reads.submit(query, future)) {
            return false;
        }
        ctx.coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * Asks the core to hand leadership to {@code target}; completes {@code future} when done.
     *
     * @return false if a transfer is already waiting or running, or the node is stopped
     */
    public boolean tryTransferLeadership(long target, java.util.concurrent.CompletableFuture<Void> future) {
        if (ctx.stopped() || !ctx.transfer.compareAndSet(null, new NodeContext.TransferRequest(target, future))) {
            return false;
        }
        ctx.coreSignal.wake();
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
        if (ctx.stopped() || !ctx.membershipChange.compareAndSet(null,
                new NodeContext.MembershipRequest(voters.clone(), learners.clone(), future))) {
            return false;
        }
        ctx.coreSignal.wake();
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
        if (ctx.stopped() || ctx.snapshotStore == null) {
            return false;
        }
        if (!ctx.snapshotRequest.compareAndSet(null, future)) {
            java.util.concurrent.CompletableFuture<LogId> waiting = ctx.snapshotRequest.get();
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
        ctx.applierSignal.wake();
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
        if (ctx.stopped() || !ctx.forwards.submit(command, future)) {
            return false;
        }
        ctx.coreSignal.wake();
        checkLateSubmission();
        return true;
    }

    /**
     * A request was queued after the check that the node runs: if the node stopped meanwhile, its
     * shutdown routine may have reported the queues already, so it reports this one (exactly once).
     */
    private void checkLateSubmission() {
        if (ctx.stopped()) {
            shutdown.afterLateSubmission();
        }
    }

    /** Registers a future for a proposal; 0 if too many are pending. */
    public long registerFuture(java.util.concurrent.CompletableFuture<Object> future) {
        return ctx.futures.register(future);
    }

    /** Fails and forgets the future of a proposal that could not be queued. */
    public java.util.concurrent.CompletableFuture<Object> takeFuture(long correlationId) {
        return ctx.futures.take(correlationId);
    }

    // ------------------------------------------------------------------ status

    /** A consistent-enough snapshot of the node's pointers (each read atomically, not all at once). */
    public io.ringraft.api.RaftStatus status() {
        NodeContext.CoreState state = ctx.coreState;
        var accepted = ctx.accepted.get();
        Throwable failure = ctx.failure.get();
        return new io.ringraft.api.RaftStatus(ctx.groupId, ctx.selfId, state.role(), state.term(), state.leaderId(), state.vote(),
                accepted == null ? LogId.ZERO : accepted.lastLogId(), accepted == null ? 0 : accepted.seq(),
                ctx.submitted.get(), ctx.flushed.get(), ctx.durable.get(), ctx.committed.get(),
                ctx.applied.get(), ctx.droppedInbound.get(), ctx.droppedOutbound.get(),
                failure == null ? null : failure.toString(), closed || ctx.closing, state.membership(),
                latestSnapshotIndex(), ctx.purged.get());
    }

    private long latestSnapshotIndex() {
        SnapshotInfo latest = ctx.latestSnapshot.get();
        return latest == null ? 0 : latest.last().index();
    }

    public long selfId() {
        return ctx.selfId;
    }

    public long groupId() {
        return ctx.groupId;
    }

    public RaftConfig config() {
        return ctx.config;
    }

    /** The engine, for the simulator's invariant checks (read only, from the stepping thread). */
    public RaftEngine engine() {
        return core.engine();
    }

    /** The node's progress pointers (tests check that each has one writer). */
    java.util.List<ProgressPointer> pointers() {
        return ctx.pointers();
    }

    /** True once the node stopped (closed or failed). */
    public boolean isStopped() {
        return ctx.stopped();
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
        ctx.closing = true;
        ctx.wakeAll();
        placement.stop();
        // No task runs any more: whatever they left pending is reported now, if a fail-stop did not already.
        shutdown.taskStopped(NodeShutdown.ALL);
        closed = true;
        if (ctx.transport != null) {
            ctx.transport.close();
        }
        // Messages still queued hold transport memory: hand it back (after the transport stopped offering).
        io.ringraft.message.RaftMessage left;
        while ((left = ctx.inbound.poll()) != null) {
            io.ringraft.message.Releasable.release(left);
        }
        try {
            ctx.storage.close();
        } catch (IOException e) {
            LOG.warn("closing the log storage of node {} failed", ctx.selfId, e);
        }
        if (ctx.snapshotStore != null) {
            try {
                ctx.snapshotStore.close();
            } catch (IOException e) {
                LOG.warn("closing the snapshot store of node {} failed", ctx.selfId, e);
            }
        }
    }

    /** True after {@link #close()} completed. */
    public boolean isClosed() {
        return closed;
    }
}
