package io.ringraft.api;

/**
 * A leader's view of one follower (voter or learner), part of {@link RaftStatus#followers()}. Built by
 * {@code RaftNode.status()} on the caller's thread from values the leader's core thread publishes once
 * per tick ({@link RaftConfig#tickMillis()}), so it may trail the leader's newest knowledge by a tick.
 * Immutable.
 *
 * @param nodeId     the follower
 * @param matchIndex the highest index known durable on the follower and matching the leader's log (0
 *                   until the follower first acknowledged an append in this term)
 * @param lag        how many of the leader's entries the follower lacks: the leader's last log index
 *                   less {@code matchIndex}, never negative
 */
public record FollowerStatus(long nodeId, long matchIndex, long lag) {
}
