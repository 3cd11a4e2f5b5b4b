package io.ringraft.internal.host.link;

import io.ringraft.message.HeartbeatBatch;
import java.util.concurrent.TimeUnit;

/**
 * The timing and memory bounds of a {@link HostLink}. Immutable; checked when built.
 *
 * @param keepAliveIntervalNanos how long {@link HostLink#keepAlive} lets pass without sending anything
 *                               to a known peer process before it sends a keep-alive (the host passes
 *                               its heartbeat interval)
 * @param peerTimeoutNanos       how long {@link HostLink#checkPeers} waits without hearing from a peer
 *                               process before it reports it lost (the host passes its election
 *                               timeout); must exceed the keep-alive interval
 * @param maxBatchGroups         the most groups one batch carries, 1..{@link HeartbeatBatch#MAX_GROUPS};
 *                               more pending than this leave in several batches of one flush
 * @param maxPendingPerPeer      the bound of each peer's buffers: at most this many groups' pending
 *                               heartbeats, and as many pending answers, per peer process; a group
 *                               that finds a buffer full sends its message directly instead
 * @param maxPeers               the most peer processes tracked (buffers and liveness); messages to or
 *                               from more are sent directly and their liveness is not watched
 * @param batchEveryAnswer       whether every answer to an append waits for the next flush (and leaves in the
 *                               peer's answer batch), not only the answers to heartbeats that tell the leader
 *                               nothing new; for a caller that flushes often (a host flushes after every
 *                               worker round): an answer then waits at most until the flush
 */
public record LinkSettings(long keepAliveIntervalNanos, long peerTimeoutNanos, int maxBatchGroups,
                           int maxPendingPerPeer, int maxPeers, boolean batchEveryAnswer) {

    /**
     * Checks the bounds (see the parameter comments).
     *
     * @param keepAliveIntervalNanos the keep-alive interval, positive
     * @param peerTimeoutNanos       the peer timeout, above the keep-alive interval
     * @param maxBatchGroups         groups per batch, 1..{@link HeartbeatBatch#MAX_GROUPS}
     * @param maxPendingPerPeer      pending heartbeats (and answers) per peer, at least 1
     * @param maxPeers               tracked peers, at least 1
     * @param batchEveryAnswer       whether every answer to an append is batched
     * @throws IllegalArgumentException if a bound is out of range
     */
    public LinkSettings {
        if (keepAliveIntervalNanos <= 0 || peerTimeoutNanos <= keepAliveIntervalNanos) {
            throw new IllegalArgumentException("need 0 < keepAliveIntervalNanos < peerTimeoutNanos, got "
                    + keepAliveIntervalNanos + " and " + peerTimeoutNanos);
        }
        if (maxBatchGroups < 1 || maxBatchGroups > HeartbeatBatch.MAX_GROUPS) {
            throw new IllegalArgumentException("maxBatchGroups must be in 1.." + HeartbeatBatch.MAX_GROUPS + ", got "
                    + maxBatchGroups);
        }
        if (maxPendingPerPeer < 1 || maxPeers < 1) {
            throw new IllegalArgumentException("maxPendingPerPeer and maxPeers must be positive, got "
                    + maxPendingPerPeer + " and " + maxPeers);
        }
    }

    /**
     * The defaults, matching {@code RaftConfig}'s: keep-alive every 50 ms (the heartbeat interval), a
     * peer lost after 300 ms (the election timeout), 4,096 groups per batch, 16,384 pending heartbeats
     * and as many answers per peer, 256 peers; only answers to heartbeats that tell nothing new are
     * batched (the others leave at once).
     *
     * @return the default settings
     */
    public static LinkSettings defaults() {
        return new LinkSettings(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(300), 4096,
                16_384, 256, false);
    }

    /**
     * These settings with other timing (the host passes its heartbeat interval and election timeout).
     *
     * @param keepAliveInterval the keep-alive interval, nanoseconds
     * @param peerTimeout       the peer timeout, nanoseconds
     * @return the new settings
     */
    public LinkSettings withTiming(long keepAliveInterval, long peerTimeout) {
        return new LinkSettings(keepAliveInterval, peerTimeout, maxBatchGroups, maxPendingPerPeer, maxPeers,
                batchEveryAnswer);
    }

    /**
     * These settings with other memory bounds.
     *
     * @param batchGroups      groups per batch
     * @param pendingPerPeer   pending heartbeats (and answers) per peer
     * @param peers            tracked peers
     * @return the new settings
     */
    public LinkSettings withBounds(int batchGroups, int pendingPerPeer, int peers) {
        return new LinkSettings(keepAliveIntervalNanos, peerTimeoutNanos, batchGroups, pendingPerPeer, peers,
                batchEveryAnswer);
    }

    /**
     * These settings with every answer to an append batched, or only the answers to heartbeats.
     *
     * @param everyAnswer whether every answer waits for the next flush
     * @return the new settings
     */
    public LinkSettings withEveryAnswerBatched(boolean everyAnswer) {
        return new LinkSettings(keepAliveIntervalNanos, peerTimeoutNanos, maxBatchGroups, maxPendingPerPeer, maxPeers,
                everyAnswer);
    }
}
