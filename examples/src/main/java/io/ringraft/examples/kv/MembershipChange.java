package io.ringraft.examples.kv;

import io.ringraft.api.Membership;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;
import java.util.function.UnaryOperator;

/** What both routers do for {@link WriteRouter#changeMembership} once they hold the leader's node. */
final class MembershipChange {

    private MembershipChange() {
    }

    /**
     * Applies {@code change} to {@code leader}'s current membership and proposes the result there.
     *
     * @param reachable whether this cluster can reach a node that would join (the leader needs its
     *                  Raft address); {@code unreachable} says why not, after "node N "
     */
    static CompletableFuture<Void> run(RaftNode leader, UnaryOperator<Membership> change, LongPredicate reachable,
                                       String unreachable) {
        Membership current = leader.status().membership();
        if (current.changing()) {
            // the core would refuse it too; say why, and do not judge the request against a change in flight
            return CompletableFuture.failedFuture(new RejectedException("a membership change is in progress (voters "
                    + current.voters() + ", learners " + current.learners() + ")"));
        }
        Membership next;
        try {
            next = change.apply(current);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Set<Long> members = members(current);
        for (long id : members(next)) {
            if (!members.contains(id) && id != leader.nodeId() && !reachable.test(id)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("node " + id + " " + unreachable));
            }
        }
        return leader.changeMembership(next.voters(), next.learners());
    }

    /** Voters and learners. */
    static Set<Long> members(Membership membership) {
        Set<Long> members = new TreeSet<>(membership.voters());
        members.addAll(membership.learners());
        return members;
    }
}
