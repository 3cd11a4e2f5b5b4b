package io.ringraft.internal.runtime;

import io.ringraft.api.FollowerStatus;
import io.ringraft.api.Role;
import io.ringraft.internal.runtime.requests.ProposalQueue;
import io.ringraft.internal.runtime.tasks.Peers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jctools.queues.MessagePassingQueue;

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
    private final Peers peers;
    private final AtomicLongArray followerMatch;
    private final ProposalQueue proposals;
    private final MessagePassingQueue<?> inbound;

    StatusView(long groupId, long selfId, AtomicReference<CoreState> coreState, AtomicReference<IoId> accepted,
               ProgressView submitted, ProgressView flushed, ProgressView durable, ProgressView committed,
               ProgressView applied, ProgressView purged, AtomicLong droppedInbound, AtomicLong droppedOutbound,
               AtomicReference<SnapshotInfo> latestSnapshot, StopState stop, Peers peers,
               AtomicLongArray followerMatch, ProposalQueue proposals, MessagePassingQueue<?> inbound) {
        this.peers = peers;
        this.followerMatch = followerMatch;
        this.proposals = proposals;
        this.inbound = inbound;
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

    /** The role now ({@link Role#FAILED} after a fail-stop), without building the whole status. Any thread. */
    Role role() {
        return stop.failure() != null ? Role.FAILED : coreState.get().role();
    }

    /** The status now. Any thread. */
    @Override
    public RaftStatus get() {
        CoreState state = coreState.get();
        IoId accepted = this.accepted.get();
        Throwable failure = stop.failure();
        Role role = failure != null ? Role.FAILED : state.role();
        LogId last = accepted == null ? LogId.ZERO : accepted.lastLogId();
        long applied = this.applied.get();
        long submitted = this.submitted.get();
        return new RaftStatus(groupId, selfId, role, state.term(), state.leaderId(), state.vote(),
                last, accepted == null ? 0 : accepted.seq(),
                submitted, flushed.get(), durable.get(), committed.get(),
                applied, droppedInbound.get(), droppedOutbound.get(),
                failure == null ? null : failure.toString(), stop.closing(), state.membership(),
                latestSnapshotIndex(), purged.get(), followers(role, last.index()),
                Math.max(0, last.index() - Math.min(applied, submitted)), proposals.size(), inbound.size());
    }

    /** On the leader, each member it replicates to with the match index its core last published. */
    private List<FollowerStatus> followers(Role role, long lastIndex) {
        if (role != Role.LEADER) {
            return List.of();
        }
        List<FollowerStatus> followers = new ArrayList<>();
        int count = peers.count();
        for (int slot = 0; slot < count; slot++) {
            long match = followerMatch.get(slot);
            if (match >= 0) {
                followers.add(new FollowerStatus(peers.peerAt(slot), match, Math.max(0, lastIndex - match)));
            }
        }
        return List.copyOf(followers);
    }

    private long latestSnapshotIndex() {
        SnapshotInfo latest = latestSnapshot.get();
        return latest == null ? 0 : latest.last().index();
    }
}
