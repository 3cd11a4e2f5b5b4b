package io.ringraft.api.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client's handle to one Raft group ({@link RaftClient#group}), whose state machine is a
 * {@link SessionStateMachine}. Thread-safe; never blocks: every call returns a future completed on the
 * client's I/O thread (do not block in its callbacks), exceptionally with a {@link ClientException}
 * that says whether the call may have taken effect. Calls in flight are bounded by the client's
 * {@code maxInFlight}: one more fails at once with {@link ClientException.Reason#BUSY}.
 */
public interface GroupClient {

    /**
     * A write, applied exactly once: the command goes to the leader in this handle's session (opened
     * on first use) with its own sequence number, so retries, duplicates and leader changes apply it
     * once and every copy gets the first answer. The client retries by itself until the deadline: on
     * "not leader" (after refreshing the leader), lost connections, timeouts of one attempt, busy nodes.
     * It fails "may have taken effect" when the session expired before the answer came after an attempt
     * that may have reached a leader ({@link ClientException.Reason#SESSION_EXPIRED}; a new session opens
     * for the next call), and when the deadline passed after such an attempt
     * ({@link ClientException.Reason#TIMEOUT}). A session found expired before any attempt could have
     * applied the command (the handle was idle, say) is replaced and the command sent again.
     *
     * @param command the state machine's command (not copied: do not change it until the future completes)
     * @param timeout the call's deadline, from now
     * @return the state machine's answer (bytes, or null)
     */
    CompletableFuture<byte[]> ask(byte[] command, Duration timeout);

    /**
     * {@link #ask(byte[], Duration)} with the client's default timeout.
     *
     * @param command the state machine's command
     * @return the state machine's answer
     */
    CompletableFuture<byte[]> ask(byte[] command);

    /**
     * A write without waiting for its result: completes once the leader accepted the command into its
     * log queue (retrying like {@link #ask} until then). It then applies at most once; it may still be
     * lost if the leader fails before committing it (nobody retries it after acceptance).
     *
     * @param command the state machine's command
     * @return completes (with null) on acceptance
     */
    CompletableFuture<Void> tell(byte[] command);

    /**
     * A read answered by one replica, chosen by the load balancer (the caller's, else the group's
     * advertised {@link GroupBalancing}, else round robin; weights as the group advertises), at
     * {@code consistency}. If the chosen
     * replica cannot be reached, fails, lags too far or does not answer within the attempt timeout, the
     * read goes to another (one this call has not tried, if any) until the deadline.
     *
     * @param query       the state machine's query
     * @param consistency how fresh the answer must be
     * @param timeout     the call's deadline, from now
     * @return the state machine's answer
     */
    CompletableFuture<byte[]> askOne(byte[] query, Consistency consistency, Duration timeout);

    /**
     * {@link #askOne(byte[], Consistency, Duration)} with the client's default timeout.
     *
     * @param query       the state machine's query
     * @param consistency how fresh the answer must be
     * @return the state machine's answer
     */
    CompletableFuture<byte[]> askOne(byte[] query, Consistency consistency);

    /**
     * A read sent to every known replica ({@link Consistency#ANY}: each answers from its own state):
     * completes when all answered or the deadline passed, with one entry per replica in node-id order,
     * an answer (with applied index and role) or an error.
     *
     * @param query   the state machine's query
     * @param timeout how long to wait for the answers
     * @return one entry per replica
     */
    CompletableFuture<List<ReplicaAnswer>> askAll(byte[] query, Duration timeout);

    /**
     * {@return a handle to the same group (and session) whose {@link #askOne} uses {@code balancer}}
     * The group's advertised weights still reach it through {@link Replica#weight()}.
     *
     * @param balancer the strategy, overriding the group's and the client's
     */
    GroupClient withBalancer(LoadBalancer balancer);

    /**
     * {@return the balancing the group advertised in the last membership answer, or null (none yet, or
     * the group advertises none)} Its strategy chooses the replica of {@link #askOne} unless the caller
     * chose one ({@link RaftClient.Builder#balancer}, {@link #withBalancer}); until a membership answer
     * came, round robin does.
     */
    GroupBalancing advertisedBalancing();

    /** {@return the group's id} */
    long groupId();

    /** {@return the leader this handle knows, 0 if none (learnt from answers; no request)} */
    long knownLeader();

    /**
     * Has this group's leader append a messaging delivery entry built by a source group's deliverer in
     * another process (what {@code MessageRoute.through(RaftClient)} calls; not for applications). No
     * session: the group deduplicates deliveries by the source's sequence numbers, so the call is retried
     * (leader changes, lost connections) until the client's timeout.
     *
     * @param deliveryEntry the DELIVER entry, as the source's {@code MessageRoute} received it
     * @return completes with the last sequence the group applied from the entry's source (a {@code Long}),
     *         or fails with {@link ClientException}
     */
    default java.util.concurrent.CompletableFuture<Object> deliver(byte[] deliveryEntry) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new UnsupportedOperationException("this client cannot deliver messages"));
    }

    /**
     * Subscribes to this messaging group's committed log from {@code fromIndex}, filtered by
     * {@code filter}, served by one of its replicas (re-routed to another when it or the connection is
     * lost), with a window of 16 batches of at most 256 entries and 256 KiB each.
     *
     * @param fromIndex the first index (1 for the whole log; a stored {@code nextIndex()} to resume)
     * @param filter    which commands to receive
     * @return the subscription, already asking a replica
     * @throws IllegalArgumentException if {@code fromIndex < 1}
     */
    default io.ringraft.messaging.RemoteSubscription subscribe(long fromIndex, io.ringraft.messaging.KeyFilter filter) {
        return subscribe(fromIndex, filter, 16, 256, 256 << 10);
    }

    /**
     * As {@link #subscribe(long, io.ringraft.messaging.KeyFilter)}, with the flow-control bounds given.
     *
     * @param fromIndex       the first index (at least 1)
     * @param filter          which commands to receive (at most 1,024 keys)
     * @param window          most batches sent and not yet taken by {@code poll} (1 to 1,024)
     * @param maxBatchEntries most log entries the replica reads for one batch (1 to 65,535)
     * @param maxBatchBytes   most bytes of log entries it reads for one batch, about (1 KiB to 4 MiB; one entry
     *                        is read whatever its size)
     * @return the subscription
     * @throws IllegalArgumentException if a bound is out of range
     */
    default io.ringraft.messaging.RemoteSubscription subscribe(long fromIndex, io.ringraft.messaging.KeyFilter filter,
                                                                int window, int maxBatchEntries, int maxBatchBytes) {
        throw new UnsupportedOperationException("this client cannot subscribe");
    }
}
