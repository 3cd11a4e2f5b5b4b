package io.ringraft.examples.kv;

import io.netty.handler.codec.redis.RedisMessage;
import io.ringraft.api.Membership;
import io.ringraft.api.RaftException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

/**
 * The membership commands of the RESP server ({@code RAFT.ADDLEARNER}, {@code RAFT.PROMOTE},
 * {@code RAFT.REMOVE}): how each turns the leader's membership into the new one, and the reply for a change
 * that failed. Pure functions, called by {@link RespCommands} on the leader's membership (on whichever
 * thread runs the change).
 */
final class MembershipEdits {

    private MembershipEdits() {
    }

    /** How a membership change command turns the leader's membership into the new one. */
    @FunctionalInterface
    interface Edit {
        /**
         * @throws IllegalArgumentException if the request does not fit {@code current} ({@code -ERR})
         */
        Membership apply(Membership current, long id);
    }

    /** {@code RAFT.ADDLEARNER}: {@code id} must not be a member yet. */
    static Membership addLearner(Membership current, long id) {
        requireNotMember(current, id);
        Set<Long> learners = new TreeSet<>(current.learners());
        learners.add(id);
        return new Membership(current.voters(), learners, false);
    }

    /** {@code RAFT.PROMOTE}: {@code id} must be a learner. */
    static Membership promote(Membership current, long id) {
        if (current.voters().contains(id)) {
            throw new IllegalArgumentException("node " + id + " is already a voter");
        }
        if (!current.learners().contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not a learner (voters " + current.voters()
                    + ", learners " + current.learners() + "); add it with RAFT.ADDLEARNER first");
        }
        Set<Long> voters = new TreeSet<>(current.voters());
        voters.add(id);
        Set<Long> learners = new TreeSet<>(current.learners());
        learners.remove(id);
        return new Membership(voters, learners, false);
    }

    /** {@code RAFT.REMOVE}: {@code id} must be a member, and not the last voter. */
    static Membership remove(Membership current, long id) {
        if (!current.voters().contains(id) && !current.learners().contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not a member (voters " + current.voters()
                    + ", learners " + current.learners() + ")");
        }
        if (current.voters().equals(Set.of(id))) {
            throw new IllegalArgumentException("node " + id + " is the only voter; it cannot be removed");
        }
        Set<Long> voters = new TreeSet<>(current.voters());
        voters.remove(id);
        Set<Long> learners = new TreeSet<>(current.learners());
        learners.remove(id);
        return new Membership(voters, learners, false);
    }

    private static void requireNotMember(Membership current, long id) {
        if (current.voters().contains(id)) {
            throw new IllegalArgumentException("node " + id + " is already a voter");
        }
        if (current.learners().contains(id)) {
            throw new IllegalArgumentException("node " + id + " is already a learner");
        }
    }

    /**
     * The reply for a failed membership change: {@code -ERR} for a request that does not fit (or went
     * to a node that is not the leader), {@code -TRYAGAIN} only if it certainly had no effect,
     * {@code -UNCERTAIN} otherwise.
     */
    static RedisMessage failureReply(Throwable failure) {
        Throwable cause = RespReplies.unwrap(failure);
        if (cause instanceof IllegalArgumentException || cause instanceof LeaderElsewhereException) {
            return RespReplies.error("ERR " + cause.getMessage());
        }
        if (cause instanceof RaftException raft && !raft.mayHaveTakenEffect()) {
            return RespReplies.error("TRYAGAIN " + cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return RespReplies.error("UNCERTAIN the membership change did not commit in time; it may still take effect");
        }
        return RespReplies.error("UNCERTAIN " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + "; the membership change may or may not take effect");
    }
}
