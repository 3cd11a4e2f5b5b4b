package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.LoadBalancer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a client knows of one group, shared by every handle to it: the leader and its term, the members
 * (sorted node ids), the balancing the group advertises, and the session. Updated from any thread, from every answer. Thread-safe.
 */
final class GroupState {

    volatile long leader;
    volatile long term;
    volatile long[] members = new long[0];
    final AtomicBoolean refreshing = new AtomicBoolean();
    final AtomicReference<CompletableFuture<ClientSession>> session = new AtomicReference<>();
    /** The group's advertised balancing (null until an INFO answer names one) and its balancer. */
    private volatile Advertised advertised = new Advertised(null, LoadBalancer.roundRobin());

    /** An advertised balancing and the balancer made of it (kept while the advertisement stays the same). */
    private record Advertised(GroupBalancing balancing, LoadBalancer balancer) {
    }

    /** {@return the balancing the group advertised, or null} */
    GroupBalancing balancing() {
        return advertised.balancing();
    }

    /** {@return the balancer of the group's advertised strategy (round robin until one is advertised)} */
    LoadBalancer advertisedBalancer() {
        return advertised.balancer();
    }

    /** {@return the weight of {@code nodeId} the group advertised (1 if none)} @param nodeId a member */
    int weightOf(long nodeId) {
        GroupBalancing balancing = advertised.balancing();
        return balancing == null ? 1 : balancing.weightOf(nodeId);
    }

    /** Takes the balancing an INFO answer carried; a new strategy gets a new balancer. */
    synchronized void advertise(GroupBalancing balancing) {
        Advertised current = advertised;
        if (java.util.Objects.equals(balancing, current.balancing())) {
            return;
        }
        boolean sameStrategy = balancing != null && current.balancing() != null
                && balancing.strategy() == current.balancing().strategy();
        LoadBalancer balancer = sameStrategy ? current.balancer()
                : balancing == null ? LoadBalancer.roundRobin() : balancing.strategy().newBalancer();
        advertised = new Advertised(balancing, balancer);
    }

    /** Learns the leader from an answer; true if the answer named a leader we did not know. */
    synchronized boolean learn(long answerTerm, long answerLeader) {
        if (answerLeader == 0 || answerTerm < term) {
            return false;
        }
        boolean changed = answerLeader != leader || answerTerm != term;
        leader = answerLeader;
        term = answerTerm;
        return changed;
    }

    synchronized void forget(long nodeId) {
        if (leader == nodeId) {
            leader = 0;
        }
    }
}
