package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.util.Arrays;
import org.agrona.concurrent.Agent;
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
 * storage read. A state machine that throws stops the node.
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
 */
final class ApplierTask implements Agent, StateMachine.ApplyResults {

    private static final Logger LOG = LoggerFactory.getLogger(ApplierTask.class);

    private final NodeContext ctx;
    private final ProposalOutcomes outcomes;
    private final NodeShutdown shutdown;
    private final RingEntries ringView;
    private final EntryBatch stored;
    private final int maxBatchBytes;
    /** What the current batch reads: {@link #ringView} or, for entries the ring no longer holds, {@link #stored}. */
    private OriginEntries batch;
    private final Object[] results;
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
    /** The view of a read's query handed to the state machine (valid during its query call). */
    private final io.ringraft.internal.bytes.ArrayBytes queryView = new io.ringraft.internal.bytes.ArrayBytes();

    /**
     * @param applied    the last entry the state machine holds (its restored snapshot's, or
     *                   {@link LogId#ZERO})
     * @param membership the encoded membership as of {@code applied}
     */
    ApplierTask(NodeContext ctx, ProposalOutcomes outcomes, NodeShutdown shutdown, LogId applied,
                byte[] membership) {
        this.ctx = ctx;
        this.outcomes = outcomes;
        this.shutdown = shutdown;
        this.maxBatchBytes = Math.max(ctx.config.maxBytesPerAppend(), ctx.config.maxEntryBytes());
        this.ringView = new RingEntries(ctx.ring, ctx.config.batchEntries());
        this.stored = new EntryBatch(ctx.config.batchEntries(), maxBatchBytes);
        this.batch = stored;
        this.results = new Object[ctx.config.batchEntries()];
        this.applied = applied.index();
        this.appliedTerm = applied.term();
        this.membership = membership;
        this.stream = ctx.stateMachine instanceof StreamingAdapter streaming
                ? new ApplyStream(ctx, outcomes, streaming.machine, this::account, ringView, stored, maxBatchBytes,
                applied)
                : null;
        this.installer = new SnapshotInstaller(ctx, () -> this.applied, this::restored,
                () -> stream == null || stream.idle());
        ctx.applied.initialize(applied.index());
    }

    @Override
    public String roleName() {
        return "ringraft-applier-" + ctx.groupId + "-" + ctx.selfId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            shutdown.taskStopped(NodeShutdown.APPLIER); // it reports what is pending once every task stopped
            return 0;
        }
        int work = 0;
        try {
            work += installer.poll();
            long limit = ctx.applyLimit.get();
            if (stream != null) {
                work += followStream(limit);
            } else if (applied < limit && fill(limit)) {
                applyBatch();
                if (!ctx.forwards.noneAppended()) {
                    ctx.forwards.settle(batch);
                }
                applied += batch.count();
                appliedTerm = batch.termAt(batch.count() - 1);
                ctx.applied.publish(applied); // wakes the core, which may reuse those ring slots
                work += batch.count();
            }
            work += serveReads();
            work += maybeSnapshot();
        } catch (IOException | RuntimeException e) {
            ctx.fail(e);
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
            ctx.applied.publish(applied); // wakes the core
        }
        return work;
    }

    // ------------------------------------------------------------------ snapshots

    /** The policy says a snapshot is due (entries or bytes applied since the last one). */
    private boolean snapshotDue() {
        RaftConfig config = ctx.config;
        return (config.snapshotIntervalEntries() > 0 && entriesSinceSnapshot >= config.snapshotIntervalEntries())
                || (config.snapshotIntervalBytes() > 0 && bytesSinceSnapshot >= config.snapshotIntervalBytes());
    }

    /** A snapshot is due or asked for and none is being written: {@link #maybeSnapshot} captures one once it may. */
    private boolean snapshotWanted() {
        return ctx.snapshotStore != null && !snapshotsUnsupported && ctx.snapshotJob.get() == null
                && (snapshotDue() || ctx.snapshotRequest.get() != null);
    }

    /** Captures the state for a snapshot if one is due or asked for and none is being written. */
    private int maybeSnapshot() {
        if (ctx.snapshotStore == null) {
            return 0;
        }
        java.util.concurrent.CompletableFuture<LogId> requested = ctx.snapshotRequest.get();
        if (snapshotsUnsupported) {
            if (requested != null && ctx.snapshotRequest.compareAndSet(requested, null)) {
                requested.completeExceptionally(new UnsupportedOperationException(ctx.stateMachine.getClass().getName()
                        + " does not take snapshots"));
            }
            return 0;
        }
        boolean due = snapshotDue();
        if ((!due && requested == null) || ctx.snapshotJob.get() != null) {
            return 0;
        }
        if (stream != null && !stream.idle()) {
            return 0; // the snapshot must hold exactly `applied`: wait until everything handed over is reported
        }
        SnapshotInfo latest = ctx.latestSnapshot.get();
        if (latest != null && latest.last().index() >= applied || applied == 0) {
            entriesSinceSnapshot = 0;
            bytesSinceSnapshot = 0;
            if (requested != null && ctx.snapshotRequest.compareAndSet(requested, null)) {
                requested.complete(latest != null ? latest.last() : LogId.ZERO); // nothing new to capture
            }
            return 0;
        }
        if (requested != null) {
            ctx.snapshotRequest.compareAndSet(requested, null);
        }
        StateMachine.Snapshot view;
        try {
            view = ctx.stateMachine.snapshot();
        } catch (UnsupportedOperationException e) {
            snapshotsUnsupported = true;
            LOG.warn("node {}: the state machine takes no snapshots ({}); the log will not be compacted",
                    ctx.selfId, e.getMessage());
            if (requested != null) {
                requested.completeExceptionally(e);
            }
            return 0;
        }
        ctx.snapshotJob.set(new NodeContext.SnapshotJob(new LogId(appliedTerm, applied), membership, view, requested));
        ctx.snapshotSignal.wake();
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
        ctx.forwards.replacedBySnapshot(snapshot.last().index());
        applied = snapshot.last().index();
        appliedTerm = snapshot.last().term();
        membership = snapshot.membership();
        entriesSinceSnapshot = 0;
        bytesSinceSnapshot = 0;
        ctx.applied.publish(applied); // wakes the core
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
            if (ctx.ring.readHeader(index, skipped) && skipped.origin != ProposalOutcomes.NONE) {
                outcomes.failed(skipped.origin, skipped.correlation, new IndeterminateException("node "
                        + ctx.selfId + " replaced its state by snapshot " + last + ", which holds the command; "
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
        while ((read = ctx.reads.ready.peek()) != null) {
            boolean expired = read.readIndex > applied;
            if (expired && ctx.nanoClock.getAsLong() - read.applyDeadlineNanos < 0) {
                break;
            }
            ctx.reads.ready.poll();
            if (ctx.reads.take(read.id) == null) {
                continue; // already failed
            }
            if (expired) {
                read.future.completeExceptionally(new RejectedException("node " + ctx.selfId + " did not apply "
                        + "up to the read index " + read.readIndex + " within ten election timeouts (applied " + applied
                        + "; is it still a member?); retry"));
                served++;
                continue;
            }
            try {
                read.future.complete(ctx.stateMachine.query(queryView.wrap(read.query, 0, read.query.length)));
            } catch (RuntimeException e) {
                read.future.completeExceptionally(e);
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
        LogEntries read = ctx.storage.read(next, (int) (end - next + 1), ctx.config.maxBytesPerAppend());
        // Only entries the ring no longer holds: an entry still in the ring may be a local proposal,
        // and only the ring knows whose result to complete (storage keeps no origin).
        for (int i = 0; i < read.count() && !ctx.ring.holds(read.firstIndex() + i) && stored.add(read, i); i++) {
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
        Arrays.fill(results, from, from + count, null);
        ctx.stateMachine.apply(batch.slice(from, count), this);
        for (int i = from; i < from + count; i++) {
            byte origin = batch.originAt(i);
            if (origin != ProposalOutcomes.NONE) {
                outcomes.applied(origin, batch.correlationAt(i), batch.firstIndex() + i, results[i]);
            } else if (!ctx.forwards.noneAppended()) {
                ctx.forwards.applied(batch.firstIndex() + i, batch.termAt(i), results[i]);
            }
            results[i] = null;
        }
    }

    @Override
    public void set(int offset, Object result) {
        results[resultBase + offset] = result;
    }
}
