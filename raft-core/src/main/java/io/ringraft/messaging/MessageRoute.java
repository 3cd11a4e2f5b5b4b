package io.ringraft.messaging;

import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.client.RaftClient;
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
 * <p>Routes that ship: {@link #through(RaftHost)} and {@link #throughLocalReplicas(LongFunction)}, for a
 * process that holds a replica of the target group (they forward from it to the target's leader, which may
 * be in another process); {@link #through(RaftClient)}, for targets in other processes only (the client
 * protocol's DELIVER request to the target's leader); and {@link #through(RaftHost, RaftClient)}: the
 * host's replica when it has one, the client otherwise.
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

    /**
     * Delivers through {@code client} to the target group's leader wherever it runs (the client protocol's
     * DELIVER request, answered once the leader applied the entry; retried across leader changes and lost
     * connections until the client's timeout). The target's nodes must serve the group's
     * {@code MessagingGroup} to clients ({@code ClientServer.Builder.messaging}).
     *
     * @param client a client of the cluster the target groups run in
     * @return the route
     */
    static MessageRoute through(RaftClient client) {
        java.util.Objects.requireNonNull(client, "client");
        return (targetGroup, entry) -> client.group(targetGroup).deliver(entry);
    }

    /**
     * Delivers through the host's own replica of the target group when it has one, and through
     * {@code client} to a target with no replica in this process.
     *
     * @param host   the host running the source group
     * @param client a client of the cluster the other groups run in
     * @return the route
     */
    static MessageRoute through(RaftHost host, RaftClient client) {
        java.util.Objects.requireNonNull(host, "host");
        MessageRoute remote = through(client);
        return (targetGroup, entry) -> {
            RaftNode replica = host.group(targetGroup).orElse(null);
            return replica != null ? replica.forward(entry) : remote.deliver(targetGroup, entry);
        };
    }
}
