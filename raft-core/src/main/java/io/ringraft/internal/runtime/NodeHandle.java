package io.ringraft.internal.runtime;

import io.ringraft.api.Admission;
import io.ringraft.api.LogId;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.spi.RaftMetrics;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The one internal handle {@code io.ringraft.api.RaftNode} talks to: turns each application request
 * into a request of the node's runtime, with the proposal origins ({@link ProposalOutcomes}) and the
 * refusals ({@link NodeStoppedException} if the node stopped, {@link NotLeaderException} if it does not
 * lead, {@link RejectedException} naming the full bound otherwise) built in one place.
 *
 * <p>Any thread. Never blocks, except {@link #tryPropose} and {@link #propose}, which may wait up to
 * {@code RaftConfig.proposalWaitMillis} for room in the proposal queue. Every future it returns
 * completes exactly once (see {@link NodeShutdown} for what happens to requests at close).
 */
public final class NodeHandle {

    private final NodeRuntime runtime;

    public NodeHandle(NodeRuntime runtime) {
        this.runtime = runtime;
    }

    /** A command for the leader's log; the future completes with its result once applied here. */
    public CompletableFuture<Object> propose(byte[] command) {
        return propose(command, null, command.length);
    }

    /** {@link #propose(byte[])} for the bytes {@code command} has remaining (its position does not move). */
    public CompletableFuture<Object> propose(ByteBuffer command) {
        return propose(null, command, command.remaining());
    }

    /** A command given as an array or (when {@code buffer} is not null) a buffer, of {@code length} bytes. */
    private CompletableFuture<Object> propose(byte[] array, ByteBuffer buffer, int length) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (length > runtime.config().maxEntryBytes()) {
            runtime.rejected(RaftMetrics.Rejection.TOO_LARGE);
            future.completeExceptionally(tooLarge(length));
            return future;
        }
        if (runtime.isStopped()) {
            runtime.rejected(RaftMetrics.Rejection.STOPPED);
            future.completeExceptionally(stopped());
            return future;
        }
        long id = runtime.registerFuture(future);
        if (id == 0) {
            runtime.rejected(RaftMetrics.Rejection.TOO_MANY_PENDING);
            future.completeExceptionally(new RejectedException("too many proposals awaiting results (maxPendingFutures "
                    + runtime.config().maxPendingFutures() + ")"));
            return future;
        }
        Admission admission = buffer == null
                ? runtime.tryPropose(ProposalOutcomes.FUTURE, id, array, 0, length)
                : runtime.tryPropose(ProposalOutcomes.FUTURE, id, buffer);
        if (!admission.accepted()) {
            CompletableFuture<Object> mine = runtime.takeFuture(id);
            if (mine != null) {
                mine.completeExceptionally(switch (admission) {
                    case NOT_LEADER -> new NotLeaderException(runtime.selfId(), runtime.leaderHint());
                    case STOPPED -> stopped();
                    case TOO_LARGE -> tooLarge(length);
                    default -> refusal("proposal queue full (proposalQueueBytes "
                            + runtime.config().proposalQueueBytes() + ")");
                });
            }
        }
        return future;
    }

    /** The allocation-free proposal; its outcome goes to the node's {@code ProposalListener} if accepted. */
    public Admission tryPropose(byte[] command, int offset, int length, long correlationId) {
        return runtime.tryPropose(ProposalOutcomes.LISTENER, correlationId, command, offset, length);
    }

    /** {@link #tryPropose(byte[], int, int, long)} for the bytes {@code command} has remaining. */
    public Admission tryPropose(ByteBuffer command, long correlationId) {
        return runtime.tryPropose(ProposalOutcomes.LISTENER, correlationId, command);
    }

    /** A command proposed through the leader from this node, which need not lead, waiting {@code waitNanos}. */
    public CompletableFuture<Object> forward(byte[] command, long waitNanos) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (command.length > runtime.config().maxEntryBytes()) {
            future.completeExceptionally(tooLarge(command.length));
        } else if (!runtime.tryForward(command.clone(), future, waitNanos)) {
            future.completeExceptionally(refusal("too many forwarded commands awaiting results (maxPendingFutures "
                    + runtime.config().maxPendingFutures() + ")"));
        }
        return future;
    }

    /** A linearizable read of {@code query} (kept, not copied, until the read is served). */
    public CompletableFuture<Object> read(byte[] query) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (!runtime.tryRead(query, future)) {
            future.completeExceptionally(refusal("too many reads in flight (maxPendingReads "
                    + runtime.config().maxPendingReads() + ")"));
        }
        return future;
    }

    /** Hands leadership to {@code target}. */
    public CompletableFuture<Void> transferLeadership(long target) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!runtime.tryTransferLeadership(target, future)) {
            future.completeExceptionally(refusal("a leadership transfer is already in progress"));
        }
        return future;
    }

    /** Changes the membership to exactly these voters and learners. */
    public CompletableFuture<Void> changeMembership(long[] voters, long[] learners) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!runtime.tryChangeMembership(voters, learners, future)) {
            future.completeExceptionally(refusal("a membership change is already in progress"));
        }
        return future;
    }

    /** Takes a snapshot of the state as applied now. */
    public CompletableFuture<LogId> takeSnapshot() {
        CompletableFuture<LogId> future = new CompletableFuture<>();
        if (!runtime.tryTakeSnapshot(future)) {
            future.completeExceptionally(refusal("node " + runtime.selfId() + " has no snapshot store"));
        }
        return future;
    }

    /** The runtime behind this handle (start, status, agents, close). */
    public NodeRuntime runtime() {
        return runtime;
    }

    private RejectedException tooLarge(int length) {
        return new RejectedException("command of " + length + " bytes exceeds maxEntryBytes "
                + runtime.config().maxEntryBytes());
    }

    /** Why a request was not taken: the node stopped, or else the named bound is full. */
    private RaftException refusal(String fullBound) {
        return runtime.isStopped() ? stopped() : new RejectedException(fullBound);
    }

    private NodeStoppedException stopped() {
        return new NodeStoppedException("node " + runtime.selfId() + " is stopped");
    }
}
