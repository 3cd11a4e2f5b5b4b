package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * A leader tells a follower that the group is idle and goes quiet: no heartbeats follow until the
 * group wakes (a proposal, a read, any other message, or a lost peer process).
 *
 * <p>The leader sends it only when every member holds its whole log durably and everything in it is
 * committed, so {@code lastLogId} is both the leader's last entry and its commit index. A follower of
 * {@code from} in {@code term} whose log ends exactly at {@code lastLogId} (and matches the leader's
 * up to it) quiesces: it stops counting election ticks and keeps treating the leader as alive until
 * it hears otherwise. Any other follower ignores it and wakes the leader by answering (see the
 * engine's {@code Quiescence}).
 *
 * @param from      the leader
 * @param to        a follower (voter or learner)
 * @param term      the leader's term
 * @param lastLogId the leader's last log entry, which is also its commit index
 */
public record Quiesce(long from, long to, long term, LogId lastLogId) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the leader
     * @param to        a follower
     * @param term      the leader's term
     * @param lastLogId the leader's last log entry (and commit index); its term is at most {@code term}
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if {@code lastLogId} is null
     */
    public Quiesce {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(lastLogId, "lastLogId");
        if (lastLogId.term() > term) {
            throw new IllegalArgumentException("lastLogId " + lastLogId + " is of a term after the leader's term "
                    + term);
        }
    }
}
