package io.ringraft.internal.runtime;

import io.ringraft.api.LogId;
import io.ringraft.api.RaftStatus;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.internal.runtime.tasks.CoreState;
import io.ringraft.spi.SnapshotInfo;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A node's {@link RaftStatus}, read from its published state: the core's role, term, leader, vote and
 * membership, every progress pointer, the drop counters, the newest snapshot and why the node
 * stopped. Each is read atomically, not all at once. Read only: it writes nothing.
 *
 * <p>Called by any thread ({@code RaftNode.status()}, and the core task before it tells the state
 * listener about a change); never blocks; allocates the status it returns.
 */
final class StatusView implements Supplier<RaftStatus> {

    private final long groupId;
    private final long selfId;
    private final AtomicReference<CoreState> coreState;
    private final AtomicReference<IoId> accepted;
    private final ProgressView submitted;
    private final ProgressView flushed;
    private final ProgressView durable;
    private final ProgressView committed;
    private final ProgressView applied;
    private final ProgressView purged;
    private final AtomicLong droppedInbound;
    private final AtomicLong droppedOutbound;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final StopState stop;

    StatusView(long groupId, long selfId, AtomicReference<CoreState> coreState, AtomicReference<IoId> accepted,
               ProgressView submitted, ProgressView flushed, ProgressView durable, ProgressView committed,
               ProgressView applied, ProgressView purged, AtomicLong droppedInbound, AtomicLong droppedOutbound,
               AtomicReference<SnapshotInfo> latestSnapshot, StopState stop) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.coreState = coreState;
        this.accepted = accepted;
        this.submitted = submitted;
        this.flushed = flushed;
        this.durable = durable;
        this.committed = committed;
        this.applied = applied;
        this.purged = purged;
        this.droppedInbound = droppedInbound;
        this.droppedOutbound = droppedOutbound;
        this.latestSnapshot = latestSnapshot;
        this.stop = stop;
    }

    /** The status now. Any thread. */
    @Override
    public RaftStatus get() {
        CoreState state = coreState.get();
        IoId accepted = this.accepted.get();
        Throwable failure = stop.failure();
        return new RaftStatus(groupId, selfId, state.role(), state.term(), state.leaderId(), state.vote(),
                accepted == null ? LogId.ZERO : accepted.lastLogId(), accepted == null ? 0 : accepted.seq(),
                submitted.get(), flushed.get(), durable.get(), committed.get(),
                applied.get(), droppedInbound.get(), droppedOutbound.get(),
                failure == null ? null : failure.toString(), stop.closing(), state.membership(),
                latestSnapshotIndex(), purged.get());
    }

    private long latestSnapshotIndex() {
        SnapshotInfo latest = latestSnapshot.get();
        return latest == null ? 0 : latest.last().index();
    }
}
