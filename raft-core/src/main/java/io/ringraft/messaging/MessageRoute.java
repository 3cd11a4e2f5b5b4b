package io.ringraft.messaging;

import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * How a source group's leader reaches a target group (SPI). The library calls {@link #deliver} from its
 * delivery thread with an opaque log entry it built (a batch of messages, at most
 * {@link OutboxSettings#maxBatchMessages()} of them); the route must have the target group's leader append
 * it and must complete the future with the result the target's state machine gave that entry (a
 * {@code Long}: the last sequence the target applied from this source), or exceptionally if it cannot
 * tell. A route may fail, time out, deliver twice or deliver late: the target drops duplicates and the
 * source retries, so any of these costs only time. It must not block: return a future.
 *
 * <p>Two routes ship: {@link #through(RaftHost)} and {@link #throughLocalReplicas(LongFunction)}, both for a
 * process that holds a replica of the target group (they forward from it to the target's leader, which may
 * be in another process). A target with no replica in the source's process needs a network client that
 * proposes to a remote group: none ships yet (issue 16's client is meant to plug in here).
 */
@FunctionalInterface
public interface MessageRoute {

    /**
     * Has {@code targetGroup}'s leader append {@code entry}.
     *
     * @param targetGroup the group to deliver to
     * @param entry       the log entry to append there, as built by the library (do not change it)
     * @return completes with the target state machine's result for the entry, or exceptionally
     */
    CompletableFuture<Object> deliver(long targetGroup, byte[] entry);

    /**
     * Delivers through the host's own replica of the target group ({@code RaftNode.forward}: appended by
     * the target's leader, wherever it runs, and answered once the local replica applied it). A target the
     * host holds no replica of fails the delivery (retried later) with {@link IllegalStateException}.
     *
     * @param host the host running the source group
     * @return the route
     */
    static MessageRoute through(RaftHost host) {
        return throughLocalReplicas(group -> host.group(group).orElse(null));
    }

    /**
     * Delivers through a replica of the target group in this process, found by {@code replicas}
     * (null: none), with {@code RaftNode.forward}.
     *
     * @param replicas finds this process's replica of a group, or null
     * @return the route
     */
    static MessageRoute throughLocalReplicas(LongFunction<RaftNode> replicas) {
        return (targetGroup, entry) -> {
            RaftNode replica = replicas.apply(targetGroup);
            if (replica == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("no replica of group " + targetGroup
                        + " in this process: this route cannot reach it"));
            }
            return replica.forward(entry);
        };
    }
}
