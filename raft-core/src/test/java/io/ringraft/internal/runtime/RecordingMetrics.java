package io.ringraft.internal.runtime;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftStatus;
import io.ringraft.spi.RaftMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** A {@link RaftMetrics} for tests: counts and sums every event, thread-safely. */
final class RecordingMetrics implements RaftMetrics {

    /** One {@link #steppedDown} call. */
    record StepDownEvent(long term, StepDown reason) {
    }

    volatile long boundGroup = -1;
    volatile long boundNode = -1;
    volatile Supplier<RaftStatus> status;
    final List<Long> peers = new CopyOnWriteArrayList<>();
    final AtomicLong closes = new AtomicLong();

    final LongAdder commitBatches = new LongAdder();
    final LongAdder committedProposals = new LongAdder();
    final AtomicLong minCommitNanos = new AtomicLong(Long.MAX_VALUE);
    final Map<Rejection, LongAdder> rejections = new ConcurrentHashMap<>();
    final List<Long> leaderTerms = new CopyOnWriteArrayList<>();
    final List<StepDownEvent> stepDowns = new CopyOnWriteArrayList<>();
    final LongAdder received = new LongAdder();
    final Map<Long, LongAdder> sentTo = new ConcurrentHashMap<>();
    final LongAdder refused = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder flushedEntries = new LongAdder();
    final AtomicLong minFlushNanos = new AtomicLong(Long.MAX_VALUE);
    final LongAdder applyBatches = new LongAdder();
    final LongAdder appliedEntries = new LongAdder();
    final AtomicLong minApplyNanos = new AtomicLong(Long.MAX_VALUE);
    final List<long[]> snapshotsTaken = new CopyOnWriteArrayList<>();
    final List<long[]> snapshotsInstalled = new CopyOnWriteArrayList<>();

    @Override
    public void bind(long groupId, long nodeId, RaftConfig config, Supplier<RaftStatus> status) {
        this.boundGroup = groupId;
        this.boundNode = nodeId;
        this.status = status;
    }

    @Override
    public void peerAdded(long peerId) {
        peers.add(peerId);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    @Override
    public void proposalsCommitted(long latencyNanos, int proposals) {
        commitBatches.increment();
        committedProposals.add(proposals);
        minCommitNanos.accumulateAndGet(latencyNanos, Math::min);
    }

    @Override
    public void proposalRejected(Rejection reason) {
        rejections.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    long rejected(Rejection reason) {
        LongAdder count = rejections.get(reason);
        return count == null ? 0 : count.sum();
    }

    @Override
    public void becameLeader(long term) {
        leaderTerms.add(term);
    }

    @Override
    public void steppedDown(long term, StepDown reason) {
        stepDowns.add(new StepDownEvent(term, reason));
    }

    @Override
    public void messagesReceived(int count) {
        received.add(count);
    }

    @Override
    public void messagesSent(long peerId, int sent, int refusedCount) {
        sentTo.computeIfAbsent(peerId, p -> new LongAdder()).add(sent);
        refused.add(refusedCount);
    }

    long sentTo(long peerId) {
        LongAdder count = sentTo.get(peerId);
        return count == null ? 0 : count.sum();
    }

    @Override
    public void logFlushed(long flushNanos, int entries) {
        flushes.increment();
        flushedEntries.add(entries);
        minFlushNanos.accumulateAndGet(flushNanos, Math::min);
    }

    @Override
    public void entriesApplied(long applyNanos, int entries) {
        applyBatches.increment();
        appliedEntries.add(entries);
        minApplyNanos.accumulateAndGet(applyNanos, Math::min);
    }

    @Override
    public void snapshotInstalled(long nanos, long bytes) {
        snapshotsInstalled.add(new long[] {nanos, bytes});
    }

    @Override
    public void snapshotTaken(long nanos, long bytes) {
        snapshotsTaken.add(new long[] {nanos, bytes});
    }

    /** The rejections so far, by reason (for failure messages). */
    Map<Rejection, Long> rejectionCounts() {
        Map<Rejection, Long> counts = new EnumMap<>(Rejection.class);
        rejections.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    List<StepDownEvent> stepDownsSoFar() {
        return new ArrayList<>(stepDowns);
    }
}
