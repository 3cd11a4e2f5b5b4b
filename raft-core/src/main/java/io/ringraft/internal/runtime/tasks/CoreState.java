package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.Membership;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.internal.runtime.NodeShutdown;

/**
 * Role, term, leader, vote and membership of a node as one immutable value, for status and the
 * state listener. Published by the core task (replaced whenever one of them changes), and once more
 * by {@link NodeShutdown} when the node stops; read by any thread.
 */
public record CoreState(Role role, long term, long leaderId, Vote vote, Membership membership) {

    /** What a node that has not run yet reports. */
    public static CoreState initial() {
        return new CoreState(Role.FOLLOWER, 0, 0, Vote.INITIAL,
                new Membership(java.util.Set.of(), java.util.Set.of(), false));
    }
}
