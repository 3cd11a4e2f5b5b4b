package io.ringraft.internal.host.link;

/**
 * A snapshot of a {@link HostLink}'s counters (each counts since the link was created).
 *
 * @param heartbeatsParked     heartbeats parked for a batch (a replaced one counts again)
 * @param answersParked        heartbeat answers parked for a batch
 * @param directFallbacks      heartbeats or answers sent directly because a peer's buffer was full
 * @param batchesSent          batches (with content) the inner transport accepted
 * @param batchesRefused       batches (with content) the inner transport refused: their messages are lost, Raft resends
 * @param keepAlivesSent       empty batches sent by {@link HostLink#keepAlive}
 * @param batchesReceived      batches received, keep-alives included
 * @param delivered            per-group messages split out of received batches and accepted by their group
 * @param droppedUnknownGroup  per-group messages of received batches for a group not connected here
 * @param droppedRefused       per-group messages of received batches their group refused (queue full, or it threw)
 * @param droppedOther         messages on the host group that are not batches for this process, dropped
 * @param untrackedPeers       times a message named a peer beyond the tracked-peer bound (sent directly, liveness not watched)
 */
public record LinkStats(long heartbeatsParked, long answersParked, long directFallbacks, long batchesSent,
                        long batchesRefused, long keepAlivesSent, long batchesReceived, long delivered,
                        long droppedUnknownGroup, long droppedRefused, long droppedOther, long untrackedPeers) {
}
