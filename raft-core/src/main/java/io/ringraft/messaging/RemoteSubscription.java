package io.ringraft.messaging;

import java.time.Duration;
import java.util.List;

/**
 * A keyed subscription to a messaging group's committed log served by a replica in another process, over
 * the client protocol ({@code GroupClient.subscribe}, docs/client.md). The replica pushes batches of
 * matching committed entries, in log order; the subscriber takes them with {@link #poll}.
 *
 * <p><b>Cursor.</b> {@link #nextIndex()} is the index after the last log entry covered by a batch taken by
 * {@link #poll} (matching or not): store it with what you did with the entries and resume there with a new
 * subscription; every matching entry then comes once, none is skipped, none repeated. Across a lost
 * connection or a dead replica the subscription resubscribes by itself, to another replica of the group,
 * from the index after the last batch it received, so batches it buffered are neither lost nor repeated.
 *
 * <p><b>Back-pressure.</b> The serving replica sends at most {@code window} batches the subscriber has not
 * taken (credit: each {@link #poll} that returns a batch grants one more), and pauses, holding only its
 * cursor, while the credit is used up or the connection's send buffer is above its high-water mark. So a
 * slow subscriber holds at most {@code window} batches here, and costs the replica a bounded send buffer,
 * never a queue that grows.
 *
 * <p><b>Purged history.</b> If the replica no longer has the asked-for entry in its log (compacted into a
 * snapshot), {@link #poll} throws {@link HistoryPurgedException} with the replica's purge point and newest
 * snapshot index, after the batches received before; the subscription is then over.
 *
 * <p><b>Threads.</b> {@link #poll} blocks the calling thread (one consumer at a time); the client's event
 * loop receives the batches. {@link #close()} from any thread.
 */
public interface RemoteSubscription extends AutoCloseable {

    /**
     * The next batch of matching committed entries, in log order, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait for a batch
     * @return the entries of one batch (never empty), or an empty list if none came within the timeout
     * @throws HistoryPurgedException if the asked-for entries were purged from the serving replica's log
     * @throws io.ringraft.api.client.ClientException if the subscription failed otherwise for good (closed,
     *                                                no member of the group reachable as a group of this name)
     * @throws InterruptedException   if interrupted while waiting
     */
    List<CommittedEntry> poll(Duration timeout) throws InterruptedException;

    /**
     * The index after the last log entry of the batches {@link #poll} returned: where to resume.
     *
     * @return the cursor
     */
    long nextIndex();

    /**
     * The node serving the subscription now, or 0 between two replicas (after a loss, before the next one).
     *
     * @return the node id, or 0
     */
    long servingNode();

    /**
     * How many times this subscription was served again by a replica after a connection or replica was lost.
     *
     * @return the count of resubscriptions
     */
    long resubscriptions();

    /** Ends the subscription (the serving replica stops sending); batches not taken are dropped. Idempotent. */
    @Override
    void close();
}
