package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.StateMachineFailedException;
import io.ringraft.internal.runtime.NodeShutdown;
import io.ringraft.internal.runtime.ProgressPointer;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.StateMachineCalls;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.internal.runtime.TransportLink;
import io.ringraft.internal.runtime.requests.Forwards;
import io.ringraft.internal.runtime.requests.PendingReads;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.requests.Rejection;
import io.ringraft.internal.runtime.ring.EntryBatch;
import io.ringraft.internal.runtime.ring.EntryHeader;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.ring.OriginEntries;
import io.ringraft.internal.runtime.ring.RingEntries;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftMetrics;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier: applies committed entries that are durable locally ({@code applyLimit}) to the
 * {@link StateMachine} in batches, in log order, and hands each local proposal its result.
 *
 * <p>Entries come from the ring, read in place ({@link RingEntries}: the state machine gets a view
 * of the ring's slots, no copy), or from storage if the ring no longer holds them (e.g. after a
 * restart). The view stays valid during {@link StateMachine#apply}: the entries are committed (never
 * truncated) and durable here, and the core reclaims a slot only once {@code applied} passed it,
 * which happens after the call. Runs of user commands go to the state machine as one
 * {@link LogEntries} view; the leader's no-op entries are skipped. After a batch it publishes
 * {@code applied} and wakes the core (which may now reuse those ring slots). Runs on its own thread; blocks only inside the state machine or on a
 * storage read. A state machine that throws stops the node with a {@link StateMachineFailedException}
 * ({@link StateMachineCalls}); one that rejects a command ({@link #reject}) leaves a {@link Rejection} as
 * its result, which the proposer receives as a failure while the node goes on.
 *
 * <p>Snapshots: after a batch, if the policy says so (entries or bytes applied since the last
 * snapshot) or the application asked, it captures the state machine's state
 * ({@link StateMachine#snapshot()}, a quick point-in-time view) and hands it to the
 * {@link SnapshotTask} to write, one at a time. It also runs the {@link SnapshotInstaller}: on a
 * follower, snapshots from the leader are written and restored here, between batches, so the state
 * machine is only ever touched by this thread.
 *
 * <p>Streaming: with a {@link io.ringraft.spi.StreamingStateMachine} (wrapped in a
 * {@link StreamingAdapter}) it hands commands over and follows the progress the state machine reports
 * instead ({@link ApplyStream}): {@code applied}, results, reads and snapshots go by that progress, and a
 * snapshot to capture or restore first waits, handing nothing more over, until every command handed over
 * is reported.
 *
 * <p>Built with what it touches: the ring, storage and state machine; the core's {@code applyLimit},
 * which it reads, and {@code applied}, which it publishes as the only writer; the reads and forwarded
 * commands it completes; and the snapshot mailboxes it and its installer use ({@link Snapshots}).
 */
public final class ApplierTask implements Agent, StateMachine.ApplyResults {

    /**
     * The snapshot side of the applier: the store ({@code null} if the node takes no snapshots), the
     * newest durable snapshot, the job it hands the {@link SnapshotTask} (woken by
     * {@code snapshotSignal}) and the application's request for one; and for its
     * {@link SnapshotInstaller}: the chunks the core queues, the installed snapshot it hands the core
     * (woken by {@code coreSignal}), and the transport its answers to the leader go through.
     */
    public record Snapshots(SnapshotStore store, AtomicReference<SnapshotInfo> latest, AtomicReference<SnapshotJob> job,
                     AtomicReference<CompletableFuture<LogId>> requested, Signal snapshotSignal,
                     MessagePassingQueue<InstallSnapshotRequest> chunks, AtomicReference<SnapshotInfo> installed,
                     Signal coreSignal, TransportLink transport) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApplierTask.class);

    private final long groupId;
    private final long selfId;
    private final RaftConfig config;
    private final LongSupplier nanoClock;
    private final EntryRing ring;
    private final LogStorage storage;
    private final StateMachine stateMachine;
    private final ProgressView applyLimit;
    private final ProgressPointer appliedPointer;
    /** How often reads waiting to be applied are checked against their deadlines. */
    private static final long READ_DEADLINE_CHECK_NANOS = 50_000_000L;
    private final PendingReads reads;
    private final Forwards forwards;
    private final SnapshotStore snapshotStore;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final AtomicReference<SnapshotJob> snapshotJob;
    private final AtomicReference<CompletableFuture<LogId>> snapshotRequest;
    private final Signal snapshotSignal;
    private final StopState stop;
    private final ProposalOutcomes outcomes;
    private final NodeShutdown shutdown;
    private final RingEntries ringView;
    private final EntryBatch stored;
    private final int maxBatchBytes;
    /** What the current batch reads: {@link #ringView} or, for entries the ring no longer holds, {@link #stored}. */
    private OriginEntries batch;
    /** The results of the run being applied: allocated by the first run, handed back while quiet (null then). */
    private Object[] results;
    private final int batchEntries;
    private final SnapshotInstaller installer;
    /** With a streaming state machine: hands it commands and follows its reported progress; else null. */
    private final ApplyStream stream;
    private int resultBase;
    private long applied;
    /** Term of the entry at {@link #applied}. */
    private long appliedTerm;
    /** The encoded membership as of {@link #applied} (carried by snapshots). */
    private byte[] membership;
    private long entriesSinceSnapshot;
    private long bytesSinceSnapshot;
    private boolean snapshotsUnsupported;
    private final EntryHeader skipped = new EntryHeader();
    private final RaftMetrics metrics;
    /** Whether {@link #metrics} wants apply times (the clock is read only then). */
    private final boolean timed;
    /** The view of a read's query handed to the state machine (valid during its query call). */
    private final io.ringraft.internal.bytes.ArrayBytes queryView = new io.ringraft.internal.bytes.ArrayBytes();

    /**
     * @param appliedPointer the {@code applied} pointer, which this task publishes; it starts at
     *                       {@code applied}
     * @param applied        the last entry the state machine holds (its restored snapshot's, or
     *                       {@link LogId#ZERO})
     * @param membership     the encoded membership as of {@code applied}
     * @param applierSignal  this task's own signal (a streaming state machine's progress wakes it)
     */
    public ApplierTask(long groupId, long selfId, RaftConfig config, LongSupplier nanoClock, EntryRing ring,
                LogStorage storage, StateMachine stateMachine, ProgressView applyLimit, ProgressPointer appliedPointer,
                PendingReads reads, Forwards forwards, Snapshots snapshots, Signal applierSignal, StopState stop,
                ProposalOutcomes outcomes, NodeShutdown shutdown, LogId applied, byte[] membership,
                RaftMetrics metrics) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.config = config;
        this.nanoClock = nanoClock;
        this.ring = ring;
        this.storage = storage;
        this.stateMachine = stateMachine;
        this.applyLimit = applyLimit;
        this.appliedPointer = appliedPointer;
        this.reads = reads;
        this.forwards = forwards;
        this.snapshotStore = snapshots.store();
        this.latestSnapshot = snapshots.latest();
        this.snapshotJob = snapshots.job();
        this.snapshotRequest = snapshots.requested();
        this.snapshotSignal = snapshots.snapshotSignal();
        this.stop = stop;
        this.outcomes = outcomes;
        this.shutdown = shutdown;
        this.maxBatchBytes = Math.max(config.maxBytesPerAppend(), config.maxEntryBytes());
        this.ringView = new RingEntries(ring, config.batchEntries());
        this.stored = new EntryBatch(config.batchEntries(), maxBatchBytes);
        this.batch = stored;
        this.batchEntries = config.batchEntries();
        this.applied = applied.index();
        this.appliedTerm = applied.term();
        this.membership = membership;
        this.metrics = metrics;
        this.timed = metrics != RaftMetrics.NONE;
        this.stream = stateMachine instanceof StreamingAdapter streaming
                ? new ApplyStream(config, ring, storage, forwards, outcomes, streaming.machine, this::account, ringView,
                stored, maxBatchBytes, applied, applierSignal, selfId, stop, nanoClock, metrics)
                : null;
        this.installer = new SnapshotInstaller(groupId, selfId, snapshots.store(), stateMachine, snapshots.chunks(),
                snapshots.installed(), snapshots.latest(), snapshots.coreSignal(), snapshots.transport(),
                () -> this.applied, this::restored, () -> stream == null || stream.idle(), nanoClock, metrics,
                config.snapshotCheckpointBytes());
    }

    /**
     * {@return whether the applier's view over the ring or its batch for entries read from storage holds its
     * tables} Any thread; a snapshot, for tests.
     */
    public boolean viewsAllocated() {
        return ringView.isAllocated() || stored.isAllocated();
    }

    @Override
    public String roleName() {
        return "ringraft-applier-" + groupId + "-" + selfId;
    }

    /**
     * How long the applier's thread may park with no work: at most {@code maxNanos}, and a read deadline's
     * check at a time while reads wait for their index to be applied (their deadlines need the clock;
     * everything else wakes the applier through its signal). Applier thread.
     *
     * @param maxNanos the longest park
     * @return the nanoseconds to park at most
     */
    public long parkNanos(long maxNanos) {
        return reads.ready.isEmpty() ? maxNanos : Math.min(maxNanos, READ_DEADLINE_CHECK_NANOS);
    }

    @Override
    public int doWork() {
        if (stop.stopped()) {
            shutdown.taskStopped(NodeShutdown.APPLIER); // it reports what is pending once every task stopped
            return 0;
        }
        int work = 0;
        try {
            work += installer.poll();
            long limit = applyLimit.get();
            if (stream != null) {
                work += followStream(limit);
            } else if (applied < limit && fill(limit)) {
                long started = timed ? nanoClock.getAsLong() : 0;
                applyBatch();
                if (timed) {
                    metrics.entriesApplied(nanoClock.getAsLong() - started, batch.count());
                }
                if (!forwards.noneAppended()) {
                    forwards.settle(batch);
                }
                applied += batch.count();
                appliedTerm = batch.termAt(batch.count() - 1);
                ringView.forgetPayload(); // an idle applier keeps no released arena reachable
                appliedPointer.publish(applied); // wakes the core, which may reuse those ring slots
                work += batch.count();
            }
            work += serveReads();
            work += maybeSnapshot();
            if (work == 0 && stream == null && !ring.isAllocated()) {
                // A quiet group (the core released the ring and wakes us): hand back the views' tables (a
                // streaming state machine's stream keeps them: it may still hold a batch it handed over).
                ringView.releaseIfRingReleased();
                stored.release();
                results = null; // every run's results were handed on and cleared
            }
        } catch (IOException | RuntimeException e) {
            stop.fail(e);
            return 1;
        }
        return work;
    }

    /**
     * Streaming: hands the state machine what is committed (unless a snapshot is to be captured or
     * restored: those wait until everything handed over is reported), then moves {@code applied} as far
     * as the state machine reported, completing proposals on the way.
     */
    private int followStream(long limit) throws IOException {
        int work = stream.collect();
        if (!installer.restoreWaiting() && !snapshotWanted()) {
            work += stream.deliver(limit);
            work += stream.collect(); // entries that are not commands, or commands reported inside accept
        }
        if (stream.applied() > applied) {
            applied = stream.applied();
            appliedTerm = stream.appliedTerm();
            appliedPointer.publish(applied); // wakes the core
        }
        return work;
    }

    // ------------------------------------------------------------------ snapshots

    /** The policy says a snapshot is due (entries or bytes applied since the last one). */
    private boolean snapshotDue() {
        return (config.snapshotIntervalEntries() > 0 && entriesSinceSnapshot >= config.snapshotIntervalEntries())
                || (config.snapshotIntervalBytes() > 0 && bytesSinceSnapshot >= config.snapshotIntervalBytes());
    }

    /** A snapshot is due or asked for and none is being written: {@link #maybeSnapshot} captures one once it may. */
    private boolean snapshotWanted() {
        return snapshotStore != null && !snapshotsUnsupported && snapshotJob.get() == null
                && (snapshotDue() || snapshotRequest.get() != null);
    }

    /** Captures the state for a snapshot if one is due or asked for and none is being written. */
    private int maybeSnapshot() {
        if (snapshotStore == null) {
            return 0;
        }
        java.util.concurrent.CompletableFuture<LogId> requested = snapshotRequest.get();
        if (snapshotsUnsupported) {
            if (requested != null && snapshotRequest.compareAndSet(requested, null)) {
                requested.completeExceptionally(new UnsupportedOperationException(stateMachine.getClass().getName()
                        + " does not take snapshots"));
            }
            return 0;
        }
        boolean due = snapshotDue();
        if ((!due && requested == null) || snapshotJob.get() != null) {
            return 0;
        }
        if (stream != null && !stream.idle()) {
            return 0; // the snapshot must hold exactly `applied`: wait until everything handed over is reported
        }
        SnapshotInfo latest = latestSnapshot.get();
        if (latest != null && latest.last().index() >= applied || applied == 0) {
            entriesSinceSnapshot = 0;
            bytesSinceSnapshot = 0;
            if (requested != null && snapshotRequest.compareAndSet(requested, null)) {
                requested.complete(latest != null ? latest.last() : LogId.ZERO); // nothing new to capture
            }
            return 0;
        }
        if (requested != null) {
            snapshotRequest.compareAndSet(requested, null);
        }
        StateMachine.Snapshot view;
        try {
            view = stateMachine.snapshot();
        } catch (UnsupportedOperationException e) {
            snapshotsUnsupported = true;
            LOG.warn("node {}: the state machine takes no snapshots ({}); the log will not be compacted",
                    selfId, e.getMessage());
            if (requested != null) {
                requested.completeExceptionally(e);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            throw StateMachineCalls.failed(selfId, "capturing a snapshot at entry " + applied, e);
        }
        snapshotJob.set(new SnapshotJob(new LogId(appliedTerm, applied), membership, view, requested));
        snapshotSignal.wake();
        entriesSinceSnapshot = 0;
        bytesSinceSnapshot = 0;
        return 1;
    }

    /** The installer restored the state machine from {@code snapshot}: applying continues after it. */
    private void restored(SnapshotInfo snapshot) {
        failSkipped(snapshot.last());
        if (stream != null) {
            stream.restoredTo(snapshot.last());
        }
        forwards.replacedBySnapshot(snapshot.last().index());
        applied = snapshot.last().index();
        appliedTerm = snapshot.last().term();
        membership = snapshot.membership();
        entriesSinceSnapshot = 0;
        bytesSinceSnapshot = 0;
        appliedPointer.publish(applied); // wakes the core
    }

    /**
     * Reports the local proposals the restored snapshot covers but this node never applied: they are
     * committed (in the snapshot), their results unknown here. Done here, before {@code applied} moves
     * past them, because then the core may reuse their ring slots (or reset the ring for the snapshot).
     * Only entries up to the core's commit index carry an origin here (a node that steps down reports
     * its uncommitted ones at once, and a node receives snapshots only as a follower), so the core never
     * reports the same ones.
     */
    private void failSkipped(LogId last) {
        for (long index = applied + 1; index <= last.index(); index++) {
            if (ring.readHeader(index, skipped) && skipped.origin != ProposalOutcomes.NONE) {
                outcomes.failed(skipped.origin, skipped.correlation, new IndeterminateException("node "
                        + selfId + " replaced its state by snapshot " + last + ", which holds the command; "
                        + "its result is unknown here"));
            }
        }
    }

    /**
     * Answers the reads whose read index is applied, in the order they became ready; refuses those that
     * waited past their deadline (this node is not catching up: removed from the members, or cut off).
     */
    private int serveReads() {
        int served = 0;
        PendingReads.Read read;
        while ((read = reads.ready.peek()) != null) {
            boolean expired = read.readIndex > applied;
            if (expired && nanoClock.getAsLong() - read.applyDeadlineNanos < 0) {
                break;
            }
            reads.ready.poll();
            if (reads.take(read.id) == null) {
                continue; // already failed
            }
            if (expired) {
                read.future.completeExceptionally(new RejectedException("node " + selfId + " did not apply "
                        + "up to the read index " + read.readIndex + " within ten election timeouts (applied " + applied
                        + "; is it still a member?); retry"));
                served++;
                continue;
            }
            try {
                read.future.complete(stateMachine.query(queryView.wrap(read.query, 0, read.query.length)));
            } catch (RuntimeException e) {
                // A query changes nothing: only this read fails, the node goes on.
                read.future.completeExceptionally(StateMachineCalls.failed(selfId, "answering a read", e));
            }
            served++;
        }
        return served;
    }

    private boolean fill(long limit) throws IOException {
        long next = applied + 1;
        long end = Math.min(limit, applied + stored.maxEntries());
        if (ringView.capture(next, end, maxBatchBytes, Long.MAX_VALUE) > 0) {
            batch = ringView;
            return true;
        }
        batch = stored;
        stored.clear(next);
        LogEntries read = storage.read(next, (int) (end - next + 1), config.maxBytesPerAppend());
        // Only entries the ring no longer holds: an entry still in the ring may be a local proposal,
        // and only the ring knows whose result to complete (storage keeps no origin).
        for (int i = 0; i < read.count() && !ring.holds(read.firstIndex() + i) && stored.add(read, i); i++) {
            // copied from storage
        }
        return stored.count() > 0;
    }

    private void applyBatch() {
        int count = batch.count();
        int runStart = -1;
        account(batch);
        for (int i = 0; i <= count; i++) {
            boolean command = i < count && batch.kindAt(i) == EntryKind.COMMAND;
            if (command && runStart < 0) {
                runStart = i;
            } else if (!command && runStart >= 0) {
                applyRun(runStart, i - runStart);
                runStart = -1;
            }
        }
    }

    /** Counts entries toward the snapshot policy and follows the membership they carry. */
    private void account(LogEntries entries) {
        int count = entries.count();
        entriesSinceSnapshot += count;
        for (int i = 0; i < count; i++) {
            var payload = entries.payloadAt(i);
            bytesSinceSnapshot += payload.length();
            if (entries.kindAt(i) == EntryKind.CONFIG) {
                membership = payload.toByteArray();
            }
        }
    }

    private void applyRun(int from, int count) {
        resultBase = from;
        if (results == null) {
            results = new Object[batchEntries]; // the first run, or the first after a quiet spell
        }
        Arrays.fill(results, from, from + count, null);
        try {
            stateMachine.apply(batch.slice(from, count), this);
        } catch (RuntimeException | Error e) {
            long first = batch.firstIndex() + from;
            throw StateMachineCalls.failed(selfId, "applying " + (count == 1 ? "entry " + first
                    : "entries " + first + ".." + (first + count - 1)), e);
        }
        for (int i = from; i < from + count; i++) {
            byte origin = batch.originAt(i);
            if (origin != ProposalOutcomes.NONE) {
                outcomes.applied(origin, batch.correlationAt(i), batch.firstIndex() + i, results[i]);
            } else if (!forwards.noneAppended()) {
                forwards.applied(batch.firstIndex() + i, batch.termAt(i), results[i]);
            }
            results[i] = null;
        }
    }

    @Override
    public void set(int offset, Object result) {
        results[resultBase + offset] = result;
    }

    @Override
    public void reject(int offset, int code, String message) {
        results[resultBase + offset] = new Rejection(code, message);
    }
}
