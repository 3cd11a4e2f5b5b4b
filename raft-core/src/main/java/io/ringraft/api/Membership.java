package io.ringraft.api;

import java.util.Set;
import java.util.TreeSet;

/**
 * A cluster's membership as a node sees it: who votes, who only learns (receives the log without
 * voting), and whether a change is still in progress (not yet committed). Immutable.
 *
 * @param voters   the voting members (while a change is in progress: the new voters)
 * @param learners the non-voting members
 * @param changing true while a configuration change is not yet committed
 */
public record Membership(Set<Long> voters, Set<Long> learners, boolean changing) {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param voters   the voting members (while a change is in progress: the new voters)
     * @param learners the non-voting members
     * @param changing true while a configuration change is not yet committed
     */
    public Membership {
        voters = java.util.Collections.unmodifiableSet(new TreeSet<>(voters));
        learners = java.util.Collections.unmodifiableSet(new TreeSet<>(learners));
    }
}
