package io.ringraft.net.netty.internal.client;

import io.ringraft.api.Role;
import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.ClientException.Reason;
import io.ringraft.api.client.Consistency;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.LoadBalancer;
import io.ringraft.api.client.Replica;
import io.ringraft.api.client.ReplicaAnswer;
import io.ringraft.api.client.SessionCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The Netty client's handle to one group: writes to the leader in a session with automatic retries,
 * reads from one replica chosen by the balancer with re-routing, reads from all. Thread-safe; every
 * call's attempts run one after another on the client's event loop or the thread that completes them.
 */
public final class GroupHandle implements GroupClient {

    private final long groupId;
    private final ClientLinks links;
    private final InFlight inFlight;
    private final GroupState state;
    private final LoadBalancer balancer;

    /**
     * @param groupId  the group
     * @param links    the client's connections
     * @param inFlight the client's bound on calls in flight
     * @param state    what the client knows of the group (shared by its handles)
     * @param balancer the caller's strategy of {@link #askOne}, or null for the one the group advertises
     */
    GroupHandle(long groupId, ClientLinks links, InFlight inFlight, GroupState state, LoadBalancer balancer) {
        this.groupId = groupId;
        this.links = links;
        this.inFlight = inFlight;
        this.state = state;
        this.balancer = balancer;
        if (state.members.length == 0) {
            state.members = links.knownNodes().stream().mapToLong(Long::longValue).sorted().toArray();
            refreshMembership();
        }
    }

    @Override
    public long groupId() {
        return groupId;
    }

    @Override
    public long knownLeader() {
        return state.leader;
    }

    @Override
    public GroupClient withBalancer(LoadBalancer balancer) {
        return new GroupHandle(groupId, links, inFlight, state, java.util.Objects.requireNonNull(balancer, "balancer"));
    }

    @Override
    public GroupBalancing advertisedBalancing() {
        return state.balancing();
    }

    @Override
    public CompletableFuture<byte[]> ask(byte[] command) {
        return ask(command, links.settings.timeout());
    }

    @Override
    public CompletableFuture<byte[]> ask(byte[] command, Duration timeout) {
        return write(command, false, timeout).thenApply(ClientResponse::payload);
    }

    @Override
    public CompletableFuture<Void> tell(byte[] command) {
        return write(command, true, links.settings.timeout()).thenApply(response -> null);
    }

    private CompletableFuture<ClientResponse> write(byte[] command, boolean tell, Duration timeout) {
        CompletableFuture<ClientResponse> caller = new CompletableFuture<>();
        CompletableFuture<ClientResponse> out = inFlight.start(caller);
        if (out == null) {
            return caller;
        }
        startWrite(command, tell, System.nanoTime() + timeout.toNanos(), out);
        return caller;
    }

    /** Sends a write in the handle's session (opening one if needed), completing {@code out}. */
    private void startWrite(byte[] command, boolean tell, long deadline, CompletableFuture<ClientResponse> out) {
        CompletableFuture<ClientSession> sessionFuture = session(deadline);
        sessionFuture.whenComplete((session, error) -> {
            if (error != null) {
                out.completeExceptionally(Calls.asClientException(error));
                return;
            }
            LeaderCall call = new LeaderCall(ClientOp.COMMAND, command, tell, deadline);
            call.session = session;
            call.result.whenComplete((response, failure) -> {
                if (call.seq > 0) {
                    for (LeaderCall next : session.end(call.seq)) {
                        toLeader(next); // writes that waited for room in the session's window
                    }
                }
                if (failure == null) {
                    out.complete(response);
                    return;
                }
                ClientException client = Calls.asClientException(failure);
                if (client.reason() == Reason.SESSION_EXPIRED) {
                    state.session.compareAndSet(sessionFuture, null); // the next call opens a new session
                    if (!client.mayHaveTakenEffect()) {
                        // no attempt of this write can have been applied (the session had expired while the
                        // handle was idle, say): send it again in a new session
                        startWrite(command, tell, deadline, out);
                        return;
                    }
                }
                out.completeExceptionally(client);
            });
            if (session.begin(call)) {
                toLeader(call);
            } else {
                links.schedule(() -> {
                    if (session.abandon(call)) {
                        call.result.completeExceptionally(Calls.failure(Reason.TIMEOUT, false, "the session's window of "
                                + links.settings.sessionWindow() + " writes stayed full until the deadline"));
                    }
                }, Math.max(0, deadline - System.nanoTime()));
            }
        });
    }

    private CompletableFuture<ClientSession> session(long deadline) {
        while (true) {
            CompletableFuture<ClientSession> current = state.session.get();
            if (current != null && !current.isCompletedExceptionally()) {
                return current;
            }
            CompletableFuture<ClientSession> fresh = new CompletableFuture<>();
            if (!state.session.compareAndSet(current, fresh)) {
                continue;
            }
            LeaderCall register = new LeaderCall(ClientOp.REGISTER, null, false, deadline);
            register.result.whenComplete((response, error) -> {
                if (error != null) {
                    state.session.compareAndSet(fresh, null);
                    fresh.completeExceptionally(error);
                } else {
                    fresh.complete(new ClientSession(SessionCommands.clientIdOf(response.payload()),
                            links.settings.sessionWindow()));
                }
            });
            toLeader(register);
            return fresh;
        }
    }

    private void toLeader(LeaderCall call) {
        if (call.result.isDone()) {
            return;
        }
        if (inFlight.closed()) {
            call.result.completeExceptionally(Calls.failure(Reason.CLOSED, call.possiblyDelivered
                    && call.op == ClientOp.COMMAND, "the client was closed"));
            return;
        }
        long remaining = call.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            call.result.completeExceptionally(call.timedOut());
            return;
        }
        long target = state.leader;
        if (target == 0 || !links.knows(target)) {
            long[] members = reachableMembers();
            if (members.length == 0) {
                call.result.completeExceptionally(Calls.failure(Reason.UNAVAILABLE, false,
                        "no address known for any member of group " + groupId));
                return;
            }
            target = members[Math.floorMod(call.rotate, members.length)];
        }
        call.attempts++;
        long attemptMillis = Math.max(1, Math.min(remaining / 1_000_000, links.settings.attemptTimeout().toMillis()));
        long node = target;
        links.link(node).send(call.request(groupId, links.nextRequestId()), attemptMillis)
                .whenComplete((response, error) -> leaderAnswered(call, node, response, error));
    }

    private void leaderAnswered(LeaderCall call, long node, ClientResponse response, Throwable error) {
        if (error != null) {
            Throwable cause = Calls.unwrap(error);
            call.possiblyDelivered |= Calls.possiblyDelivered(cause);
            call.lastProblem = String.valueOf(cause.getMessage());
            state.forget(node);
            call.rotate++;
            retry(call, cause instanceof TimeoutException ? 0 : Calls.backoffNanos(call.attempts));
            return;
        }
        learn(response);
        switch (response.status()) {
            case OK, ACCEPTED -> call.result.complete(response);
            case NOT_LEADER -> {
                call.lastProblem = "node " + node + " does not lead";
                if (response.leaderId() == 0 || response.leaderId() == node) {
                    state.forget(node);
                    call.rotate++;
                    retry(call, Calls.backoffNanos(call.attempts));
                } else {
                    retry(call, 0);
                }
            }
            case BUSY -> {
                call.lastReason = Reason.BUSY;
                call.lastProblem = response.message();
                retry(call, Calls.backoffNanos(call.attempts));
            }
            case UNKNOWN_GROUP -> {
                call.lastReason = Reason.UNKNOWN_GROUP;
                call.lastProblem = response.message();
                call.rotate++;
                retry(call, Calls.backoffNanos(call.attempts));
            }
            case REJECTED -> rejected(call, response);
            case BAD_REQUEST -> call.result.completeExceptionally(Calls.failure(Reason.BAD_REQUEST,
                    call.op == ClientOp.COMMAND, response.message()));
            default -> { // INDETERMINATE, FAILED, STALE: the session makes a retry safe
                call.possiblyDelivered |= response.mayHaveTakenEffect();
                call.lastProblem = response.status() + ": " + response.message();
                retry(call, Calls.backoffNanos(call.attempts));
            }
        }
    }

    private void rejected(LeaderCall call, ClientResponse response) {
        int code = response.code();
        if (code == SessionCommands.SESSION_EXPIRED) {
            // this attempt was refused unapplied; an earlier one that may have reached a leader may have applied it
            call.result.completeExceptionally(new ClientException(Reason.SESSION_EXPIRED, call.possiblyDelivered, code,
                    response.message()));
        } else if (code == SessionCommands.STALE_SEQUENCE) {
            call.result.completeExceptionally(new ClientException(Reason.SESSION_EXPIRED, true, code, response.message()));
        } else if (code == SessionCommands.SESSIONS_FULL) {
            call.result.completeExceptionally(new ClientException(Reason.BUSY, false, code, response.message()));
        } else if (code == SessionCommands.TOO_MANY_IN_FLIGHT) {
            call.lastReason = Reason.BUSY;
            call.lastProblem = response.message();
            retry(call, Calls.backoffNanos(call.attempts));
        } else if (code == SessionCommands.MALFORMED) {
            call.result.completeExceptionally(new ClientException(Reason.BAD_REQUEST, false, code, response.message()));
        } else {
            call.result.completeExceptionally(new ClientException(Reason.REJECTED, false, code, response.message()));
        }
    }

    private void retry(LeaderCall call, long delayNanos) {
        if (delayNanos == 0) {
            links.schedule(() -> toLeader(call), 0);
        } else {
            links.schedule(() -> toLeader(call), Math.min(delayNanos, Math.max(0, call.deadlineNanos - System.nanoTime())));
        }
    }

    @Override
    public CompletableFuture<byte[]> askOne(byte[] query, Consistency consistency) {
        return askOne(query, consistency, links.settings.timeout());
    }

    @Override
    public CompletableFuture<byte[]> askOne(byte[] query, Consistency consistency, Duration timeout) {
        CompletableFuture<byte[]> caller = new CompletableFuture<>();
        CompletableFuture<byte[]> out = inFlight.start(caller);
        if (out == null) {
            return caller;
        }
        QueryCall call = new QueryCall(query, consistency, System.nanoTime() + timeout.toNanos(), out);
        queryAttempt(call);
        return caller;
    }

    /** One read across its attempts. */
    private static final class QueryCall {
        final byte[] query;
        final Consistency consistency;
        final long deadlineNanos;
        final CompletableFuture<byte[]> out;
        final Set<Long> tried = new HashSet<>();
        int attempts;
        String lastProblem = "no replica answered";

        QueryCall(byte[] query, Consistency consistency, long deadlineNanos, CompletableFuture<byte[]> out) {
            this.query = query;
            this.consistency = consistency;
            this.deadlineNanos = deadlineNanos;
            this.out = out;
        }
    }

    private void queryAttempt(QueryCall call) {
        if (inFlight.closed()) {
            call.out.completeExceptionally(Calls.failure(Reason.CLOSED, false, "the client was closed"));
            return;
        }
        long remaining = call.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            call.out.completeExceptionally(Calls.failure(Reason.TIMEOUT, false, "no replica answered the read before "
                    + "the deadline (last: " + call.lastProblem + ")"));
            return;
        }
        long[] members = reachableMembers();
        List<Replica> candidates = new ArrayList<>(members.length);
        for (long member : members) {
            if (!call.tried.contains(member)) {
                candidates.add(new WeightedReplica(links.replica(member), state.weightOf(member)));
            }
        }
        if (candidates.isEmpty()) {
            if (members.length == 0) {
                call.out.completeExceptionally(Calls.failure(Reason.UNAVAILABLE, false,
                        "no address known for any member of group " + groupId));
                return;
            }
            call.tried.clear(); // every replica failed once: start over after a pause
            links.schedule(() -> queryAttempt(call), Math.min(remaining, Calls.backoffNanos(++call.attempts)));
            return;
        }
        LoadBalancer strategy = balancer != null ? balancer : state.advertisedBalancer();
        ReplicaState chosen = links.replica(strategy.choose(candidates).nodeId());
        chosen.outstanding.incrementAndGet();
        long attemptMillis = Math.max(1, Math.min(remaining / 1_000_000, links.settings.attemptTimeout().toMillis()));
        links.link(chosen.nodeId()).send(queryRequest(call.query, call.consistency), attemptMillis)
                .whenComplete((response, error) -> {
                    chosen.outstanding.decrementAndGet();
                    if (error != null) {
                        call.lastProblem = String.valueOf(Calls.unwrap(error).getMessage());
                    } else {
                        learn(response);
                        if (response.status() == ClientStatus.OK) {
                            call.out.complete(response.payload());
                            return;
                        }
                        if (response.status() == ClientStatus.BAD_REQUEST) {
                            call.out.completeExceptionally(Calls.failure(Reason.BAD_REQUEST, false, response.message()));
                            return;
                        }
                        call.lastProblem = "node " + chosen.nodeId() + ": " + response.status() + ": " + response.message();
                    }
                    call.tried.add(chosen.nodeId()); // re-route to another replica
                    queryAttempt(call);
                });
    }

    private ClientRequest queryRequest(byte[] query, Consistency consistency) {
        int level = switch (consistency.level()) {
            case LINEARIZABLE -> ClientRequest.LINEARIZABLE;
            case BOUNDED_STALENESS -> ClientRequest.BOUNDED;
            case BOUNDED_TIME -> ClientRequest.BOUNDED_TIME;
            case ANY -> ClientRequest.ANY;
        };
        return new ClientRequest(groupId, links.nextRequestId(), ClientOp.QUERY, 0, 0, 0, false, level,
                level == ClientRequest.BOUNDED_TIME ? consistency.maxLagMillis() : consistency.maxLagEntries(), query);
    }

    @Override
    public CompletableFuture<List<ReplicaAnswer>> askAll(byte[] query, Duration timeout) {
        CompletableFuture<List<ReplicaAnswer>> caller = new CompletableFuture<>();
        CompletableFuture<List<ReplicaAnswer>> out = inFlight.start(caller);
        if (out == null) {
            return caller;
        }
        long[] members = reachableMembers();
        @SuppressWarnings("unchecked")
        CompletableFuture<ReplicaAnswer>[] answers = new CompletableFuture[members.length];
        long millis = Math.max(1, timeout.toMillis());
        for (int i = 0; i < members.length; i++) {
            long member = members[i];
            answers[i] = links.link(member).send(queryRequest(query, Consistency.ANY), millis).handle((response, error) -> {
                if (error != null) {
                    Throwable cause = Calls.unwrap(error);
                    return new ReplicaAnswer(member, null, -1, null, Calls.failure(cause instanceof TimeoutException
                            ? Reason.TIMEOUT : Reason.UNAVAILABLE, false, String.valueOf(cause.getMessage())));
                }
                learn(response);
                if (response.status() != ClientStatus.OK) {
                    return new ReplicaAnswer(member, null, -1, null, Calls.failure(Reason.UNAVAILABLE, false,
                            response.status() + ": " + response.message()));
                }
                return new ReplicaAnswer(member, Role.values()[response.role()], response.appliedIndex(),
                        response.payload(), null);
            });
        }
        CompletableFuture.allOf(answers).whenComplete((ignored, error) -> {
            List<ReplicaAnswer> all = new ArrayList<>(answers.length);
            for (CompletableFuture<ReplicaAnswer> answer : answers) {
                all.add(answer.join());
            }
            out.complete(all);
        });
        return caller;
    }

    @Override
    public CompletableFuture<Object> deliver(byte[] deliveryEntry) {
        java.util.Objects.requireNonNull(deliveryEntry, "deliveryEntry");
        CompletableFuture<Object> caller = new CompletableFuture<>();
        CompletableFuture<Object> out = inFlight.start(caller);
        if (out == null) {
            return caller;
        }
        LeaderCall call = new LeaderCall(ClientOp.DELIVER, deliveryEntry, false,
                System.nanoTime() + links.settings.timeout().toNanos());
        call.result.whenComplete((response, error) -> {
            if (error != null) {
                out.completeExceptionally(Calls.asClientException(error));
            } else if (response.payload() == null || response.payload().length != 8) {
                out.completeExceptionally(Calls.failure(Reason.BAD_REQUEST, true, "a delivery's answer is not a sequence"));
            } else {
                out.complete(java.nio.ByteBuffer.wrap(response.payload()).getLong());
            }
        });
        toLeader(call);
        return caller;
    }

    @Override
    public io.ringraft.messaging.RemoteSubscription subscribe(long fromIndex, io.ringraft.messaging.KeyFilter filter,
                                                              int window, int maxBatchEntries, int maxBatchBytes) {
        SubscriptionSpec spec = new SubscriptionSpec(fromIndex, window, window, maxBatchEntries, maxBatchBytes,
                java.util.Objects.requireNonNull(filter, "filter"));
        String problem = spec.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        RemoteLogSubscription subscription = new RemoteLogSubscription(groupId, links, this::reachableMembers, spec);
        subscription.start();
        return subscription;
    }

    private long[] reachableMembers() {
        long[] members = state.members;
        int count = 0;
        long[] known = new long[members.length];
        for (long member : members) {
            if (links.knows(member)) {
                known[count++] = member;
            }
        }
        return count == known.length ? known : Arrays.copyOf(known, count);
    }

    private void learn(ClientResponse response) {
        boolean newLeader = state.learn(response.term(), response.leaderId());
        if (newLeader && Arrays.binarySearch(state.members, response.leaderId()) < 0) {
            refreshMembership();
        } else if (newLeader) {
            refreshMembership(); // a new term may come with a membership change: cheap to ask
        }
    }

    /** Asks a member (the leader if known) for the group's membership; one request at a time. */
    private void refreshMembership() {
        if (!state.refreshing.compareAndSet(false, true)) {
            return;
        }
        long[] members = reachableMembers();
        if (members.length == 0) {
            state.refreshing.set(false);
            return;
        }
        long leader = state.leader;
        long target = leader != 0 && links.knows(leader) ? leader
                : members[java.util.concurrent.ThreadLocalRandom.current().nextInt(members.length)];
        links.link(target).send(ClientRequest.info(groupId, links.nextRequestId()),
                links.settings.attemptTimeout().toMillis()).whenComplete((response, error) -> {
                    try {
                        if (error == null && response.status() == ClientStatus.OK && response.payload() != null) {
                            ClusterInfo info = ClusterInfo.decode(response.payload());
                            info.addresses().forEach(links::learn);
                            TreeSet<Long> ids = new TreeSet<>(info.voters());
                            ids.addAll(info.learners());
                            if (!ids.isEmpty()) {
                                state.members = ids.stream().mapToLong(Long::longValue).toArray();
                            }
                            state.learn(response.term(), response.leaderId());
                            state.advertise(info.balancing());
                        }
                    } catch (RuntimeException e) {
                        // a malformed INFO: keep what we know, the next answer tries again
                    } finally {
                        state.refreshing.set(false);
                    }
                });
    }
}
