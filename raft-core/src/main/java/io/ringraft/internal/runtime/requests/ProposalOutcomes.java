package io.ringraft.internal.runtime.requests;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftException;
import io.ringraft.internal.runtime.NodeShutdown;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outcome of a local proposal to whoever waits for it: the user's
 * {@link ProposalListener} (zero-allocation form) or a future in {@link PendingFutures}. The ring
 * records which one in each entry's origin byte. Called by the core (refusals, and failures when
 * leadership is lost), the applier (results, and failures for proposals a restored snapshot covers)
 * and {@link NodeShutdown} (everything left when the node stops); never blocks. A listener that throws is logged and otherwise ignored.
 */
public final class ProposalOutcomes {

    /** Origin of entries not proposed on this node (or internal entries). */
    public static final byte NONE = 0;
    /** Proposed through {@code tryPropose}: the outcome goes to the listener. */
    public static final byte LISTENER = 1;
    /** Proposed through {@code propose(byte[])}: the outcome completes a future. */
    public static final byte FUTURE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(ProposalOutcomes.class);

    private final ProposalListener listener;
    private final PendingFutures futures;

    public ProposalOutcomes(ProposalListener listener, PendingFutures futures) {
        this.listener = listener;
        this.futures = futures;
    }

    /**
     * The proposal's entry at {@code index} was applied with {@code result}; a {@link Rejection} result
     * fails the proposal with the state machine's rejection instead.
     */
    public void applied(byte origin, long correlationId, long index, Object result) {
        if (result instanceof Rejection rejection) {
            failed(origin, correlationId, rejection.exception(index));
            return;
        }
        if (origin == FUTURE) {
            CompletableFuture<Object> future = futures.take(correlationId);
            if (future != null) {
                future.complete(result);
            }
        } else if (origin == LISTENER && listener != null) {
            try {
                listener.onApplied(correlationId, index, result);
            } catch (RuntimeException e) {
                LOG.warn("proposal listener threw for correlation id {}", correlationId, e);
            }
        }
    }

    public void failed(byte origin, long correlationId, RaftException reason) {
        if (origin == FUTURE) {
            CompletableFuture<Object> future = futures.take(correlationId);
            if (future != null) {
                future.completeExceptionally(reason);
            }
        } else if (origin == LISTENER && listener != null) {
            try {
                listener.onFailed(correlationId, reason);
            } catch (RuntimeException e) {
                LOG.warn("proposal listener threw for correlation id {}", correlationId, e);
            }
        }
    }

    /**
     * Hands the futures' table back if none is pending (core thread, a quiet group): {@link PendingFutures#release()}.
     *
     * @return true if it was released now
     */
    public boolean releaseIdle() {
        return futures.release();
    }

    /**
     * Fails every pending future (the node stopped): called by {@link NodeShutdown} after it reported the
     * proposals in the ring and in the queue, so only futures whose proposal never got queued are left.
     */
    public void failAllFutures(RaftException reason) {
        futures.drain(future -> future.completeExceptionally(reason));
    }
}
