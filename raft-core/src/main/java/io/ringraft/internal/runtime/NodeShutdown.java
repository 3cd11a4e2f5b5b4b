package io.ringraft.internal.runtime;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.api.StateMachineFailedException;
import io.ringraft.api.StorageFailedException;
import io.ringraft.internal.runtime.requests.MembershipRequest;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.requests.ProposalQueue;
import io.ringraft.internal.runtime.requests.RequestQueues;
import io.ringraft.internal.runtime.requests.TransferRequest;
import io.ringraft.internal.runtime.ring.EntryHeader;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.tasks.CoreState;
import io.ringraft.internal.runtime.tasks.SnapshotJob;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one routine that reports everything a stopped node still owes: every local proposal in the ring
 * above {@code applied}, every proposal still queued, every future, read, forward, leadership transfer,
 * membership change and snapshot request still pending. Each gets exactly one typed failure that says
 * whether it may have taken effect.
 *
 * <p><b>When it runs.</b> Exactly once, when the last of the tasks that complete outcomes (core,
 * applier, snapshot task) has stopped touching them: each task reports {@link #taskStopped} on its first
 * duty cycle that sees the node stopped (a fail-stop while the threads still run), and
 * {@link NodeRuntime#close()} reports every task after it has joined their threads (or, with manual
 * scheduling, once the caller stopped running them). Whichever call clears the last task runs the
 * routine, on its own thread. Nothing races it: the tasks that could complete an outcome have all
 * stopped, so each outcome is reported by the task that owned it or by this routine, never both.
 *
 * <p><b>Late submissions.</b> A caller that queued a request while the node was stopping calls
 * {@link #afterLateSubmission()}; if the routine already ran, it reports the queued requests again
 * (under the same lock, so the queues have one consumer at a time). Every request is removed from its
 * table before it is completed, so nothing is reported twice.
 *
 * <p>Built before the tasks (which report to it) with what it reports from: the ring and
 * {@code applied}, the application's request queues ({@link RequestQueues}) and the snapshot job. Once
 * every task stopped it also takes over what the core published last: it publishes {@code leaderTerm}
 * as -1 and the core state as a follower's.
 *
 * <p>Never blocks except on its own lock; listener and future callbacks run on the calling thread.
 */
public final class NodeShutdown {

    /** The core task's bit. */
    public static final int CORE = 1;
    /** The applier's bit. */
    public static final int APPLIER = 2;
    /** The snapshot task's bit. */
    public static final int SNAPSHOTS = 4;
    /** Every task. */
    static final int ALL = CORE | APPLIER | SNAPSHOTS;

    private static final Logger LOG = LoggerFactory.getLogger(NodeShutdown.class);

    private final long groupId;
    private final long selfId;
    private final StopState stop;
    private final EntryRing ring;
    private final ProgressView applied;
    private final ProgressPointer leaderTerm;
    private final AtomicReference<CoreState> coreState;
    private final LeaderWatch leaderWatch;
    private final RequestQueues requests;
    private final AtomicReference<SnapshotJob> snapshotJob;
    private final ProposalOutcomes outcomes;
    /** Bits of the tasks that may still complete outcomes. */
    private final AtomicInteger running;
    private final Object lock = new Object();
    private final EntryHeader header = new EntryHeader();
    private RaftException refusal;
    private final ProposalQueue.PinningHandler refuseHandler = this::refuse;
    private volatile boolean ran;

    /**
     * @param leaderTerm   the core's pointer, published once more by this routine (no task runs then)
     * @param coreState    the core's state, replaced once more by this routine
     * @param leaderWatch  the ready leader the core publishes, cleared once more by this routine
     * @param snapshotTask whether the node has a snapshot task (a snapshot store): it then waits for it too
     */
    NodeShutdown(long groupId, long selfId, StopState stop, EntryRing ring, ProgressView applied,
                 ProgressPointer leaderTerm, AtomicReference<CoreState> coreState, LeaderWatch leaderWatch,
                 RequestQueues requests,
                 AtomicReference<SnapshotJob> snapshotJob, ProposalOutcomes outcomes, boolean snapshotTask) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.stop = stop;
        this.ring = ring;
        this.applied = applied;
        this.leaderTerm = leaderTerm;
        this.coreState = coreState;
        this.leaderWatch = leaderWatch;
        this.requests = requests;
        this.snapshotJob = snapshotJob;
        this.outcomes = outcomes;
        this.running = new AtomicInteger(snapshotTask ? ALL : CORE | APPLIER);
    }

    /**
     * The tasks in {@code tasks} (bits) will not complete any outcome again. Any thread; idempotent.
     * Runs the routine if no task is left.
     */
    public void taskStopped(int tasks) {
        int before = running.getAndUpdate(bits -> bits & ~tasks);
        if (before != 0 && (before & ~tasks) == 0) {
            run();
        }
    }

    /** True once the routine has run: every outcome of this node has been reported. */
    boolean ran() {
        return ran;
    }

    /** A request was queued while the node stopped: reports it if the routine already ran. Any thread. */
    void afterLateSubmission() {
        synchronized (lock) {
            if (ran) {
                failPending(stop.failure());
            }
        }
    }

    private void run() {
        synchronized (lock) {
            if (ran) {
                return;
            }
            Throwable failure = stop.failure();
            if (failure != null) {
                LOG.error("node {} of group {} stopped after a failure; it acknowledges nothing more",
                        selfId, groupId, failure);
            }
            leaderTerm.publish(-1);
            leaderWatch.publish(0);
            CoreState state = coreState.get();
            coreState.set(new CoreState(failure != null ? Role.FAILED : Role.FOLLOWER, state.term(), 0,
                    state.vote(), state.membership()));
            failInRing(mayHaveTakenEffect(failure, "before the command's result was applied"));
            failPending(failure);
            ran = true;
        }
    }

    /** Local proposals in the ring that the applier did not reach: they may commit without this node. */
    private void failInRing(RaftException reason) {
        for (long index = Math.max(ring.firstIndex(), applied.get() + 1); index <= ring.lastIndex(); index++) {
            if (ring.readHeader(index, header) && header.origin != ProposalOutcomes.NONE) {
                outcomes.failed(header.origin, header.correlation, reason);
            }
        }
    }

    /** Everything outside the ring: queued proposals, futures, reads, forwards, admin requests. */
    private void failPending(Throwable failure) {
        RaftException notTaken = new NodeStoppedException("node " + selfId + " stopped before the request "
                + "was carried out" + (failure == null ? "" : " (" + failure + ")"));
        refusal = notTaken;
        while (requests.proposals().take(refuseHandler, Integer.MAX_VALUE) > 0) {
            // drain: these never entered the log
        }
        // Futures left now belong to proposals that were never queued (or are being queued: the
        // submitter's late sweep finds their future gone).
        outcomes.failAllFutures(notTaken);
        requests.reads().failAll(notTaken);
        requests.forwards().failAll(notTaken, mayHaveTakenEffect(failure, "before the forwarded command's result "
                + "was applied"));
        TransferRequest transfer = requests.transfer().getAndSet(null);
        if (transfer != null) {
            transfer.future.completeExceptionally(notTaken);
        }
        MembershipRequest change = requests.membershipChange().getAndSet(null);
        if (change != null) {
            change.future.completeExceptionally(change.started
                    ? mayHaveTakenEffect(failure, "during the membership change") : notTaken);
        }
        var snapshotRequest = requests.snapshotRequest().getAndSet(null);
        if (snapshotRequest != null) {
            snapshotRequest.completeExceptionally(notTaken);
        }
        SnapshotJob job = snapshotJob.getAndSet(null);
        if (job != null && job.requested() != null) {
            job.requested().completeExceptionally(notTaken);
        }
    }

    private boolean refuse(byte origin, long correlationId, byte[] buffer, int offset, int length, long position) {
        outcomes.failed(origin, correlationId, refusal);
        return true;
    }

    /**
     * The failure for a command that may have taken effect: the node was closed, its state machine failed
     * ({@link StateMachineFailedException}), or anything else stopped it (storage, or a fault of the node's
     * own, reported as {@link StorageFailedException}).
     */
    private RaftException mayHaveTakenEffect(Throwable failure, String when) {
        if (failure == null) {
            return new IndeterminateException("node " + selfId + " was closed " + when);
        }
        String message = "node " + selfId + " stopped " + when + ": " + failure.getMessage();
        return failure instanceof StateMachineFailedException
                ? new StateMachineFailedException(message, failure)
                : new StorageFailedException(message, failure);
    }
}
