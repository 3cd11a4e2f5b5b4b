package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.message.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.util.Arrays;
import org.agrona.concurrent.Agent;

/**
 * The applier: applies committed entries that are durable locally ({@code applyLimit}) to the
 * {@link StateMachine} in batches, in log order, and hands each local proposal its result.
 *
 * <p>Entries come from the ring (or storage if the ring no longer holds them, e.g. after a restart).
 * Runs of user commands go to the state machine as one {@link LogEntries} view; the leader's no-op
 * entries are skipped. After a batch it publishes {@code applied} and wakes the core (which may now
 * reuse those ring slots). Runs on its own thread; blocks only inside the state machine or on a
 * storage read. A state machine that throws stops the node.
 */
final class ApplierTask implements Agent, StateMachine.ApplyResults {

    private final NodeContext ctx;
    private final ProposalOutcomes outcomes;
    private final EntryBatch batch;
    private final Object[] results;
    private int resultBase;
    private long applied;

    ApplierTask(NodeContext ctx, ProposalOutcomes outcomes, long appliedIndex) {
        this.ctx = ctx;
        this.outcomes = outcomes;
        this.batch = new EntryBatch(ctx.config.batchEntries(), Math.max(ctx.config.maxBytesPerAppend(),
                ctx.config.maxEntryBytes()));
        this.results = new Object[ctx.config.batchEntries()];
        this.applied = appliedIndex;
        ctx.applied.set(appliedIndex);
    }

    @Override
    public String roleName() {
        return "ringraft-applier-" + ctx.groupId + "-" + ctx.selfId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            return 0;
        }
        long limit = ctx.applyLimit.get();
        if (applied >= limit) {
            return serveReads();
        }
        try {
            if (!fill(limit)) {
                return 0;
            }
            applyBatch();
        } catch (IOException | RuntimeException e) {
            ctx.fail(e);
            return 1;
        }
        applied += batch.count();
        ctx.applied.set(applied);
        ctx.coreSignal.wake();
        return batch.count() + serveReads();
    }

    /** Answers the reads whose read index is applied, in the order they became ready. */
    private int serveReads() {
        int served = 0;
        PendingReads.Read read;
        while ((read = ctx.reads.ready.peek()) != null && read.readIndex <= applied) {
            ctx.reads.ready.poll();
            if (ctx.reads.take(read.id) == null) {
                continue; // already failed
            }
            try {
                read.future.complete(ctx.stateMachine.query(new org.agrona.concurrent.UnsafeBuffer(read.query), 0,
                        read.query.length));
            } catch (RuntimeException e) {
                read.future.completeExceptionally(e);
            }
            served++;
        }
        return served;
    }

    private boolean fill(long limit) throws IOException {
        batch.clear(applied + 1);
        long end = Math.min(limit, applied + batch.maxEntries());
        while (applied + batch.count() < end && batch.addFromRing(ctx.ring)) {
            // copied from the ring
        }
        long next = applied + batch.count() + 1;
        if (next <= end && batch.count() == 0) {
            LogEntries stored = ctx.storage.read(next, (int) (end - next + 1), ctx.config.maxBytesPerAppend());
            for (int i = 0; i < stored.count() && batch.add(stored, i); i++) {
                // copied from storage
            }
        }
        return batch.count() > 0;
    }

    private void applyBatch() {
        int count = batch.count();
        int runStart = -1;
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

    private void applyRun(int from, int count) {
        resultBase = from;
        Arrays.fill(results, from, from + count, null);
        ctx.stateMachine.apply(batch.slice(from, count), this);
        for (int i = from; i < from + count; i++) {
            byte origin = batch.originAt(i);
            if (origin != ProposalOutcomes.NONE) {
                outcomes.applied(origin, batch.correlationAt(i), batch.firstIndex() + i, results[i]);
            }
            results[i] = null;
        }
    }

    @Override
    public void set(int offset, Object result) {
        results[resultBase + offset] = result;
    }
}
