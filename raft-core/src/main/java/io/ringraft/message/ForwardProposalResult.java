package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * The leader's answer to a {@link ForwardProposal}.
 *
 * @param from       the node that was asked
 * @param to         the follower that asked
 * @param term       the answering node's current term
 * @param requestId  the request answered
 * @param outcome    what happened
 * @param entry      when {@link Outcome#APPENDED}: where the command was appended (its term is the
 *                   leader's); otherwise {@link LogId#ZERO}
 * @param leaderHint when {@link Outcome#NOT_LEADER}: the leader the answering node knows of, or 0
 */
public record ForwardProposalResult(long from, long to, long term, long requestId, Outcome outcome, LogId entry,
                                    long leaderHint) implements RaftMessage {

    /** What the leader did with a forwarded command. */
    public enum Outcome {
        /** Appended at {@code entry}: it takes effect if and only if that entry commits. */
        APPENDED,
        /** Not appended: the node does not lead (or is handing leadership over). */
        NOT_LEADER,
        /** Not appended: the leader has no room now (back-pressure); retry later. */
        BUSY,
        /** Not appended: larger than the leader's {@code maxEntryBytes}. */
        TOO_LARGE,
        /** Not appended: the leader took it after its budget ran out (the sender stopped waiting). */
        EXPIRED
    }

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from       the node that was asked
     * @param to         the follower that asked
     * @param term       the answering node's current term
     * @param requestId  the request answered
     * @param outcome    what happened
     * @param entry      when {@link Outcome#APPENDED}: where the command was appended (its term is the
     *                   leader's); otherwise {@link LogId#ZERO}
     * @param leaderHint when {@link Outcome#NOT_LEADER}: the leader the answering node knows of, or 0
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public ForwardProposalResult {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(entry, "entry");
        if (leaderHint < 0) {
            throw new IllegalArgumentException("leaderHint must not be negative, got " + leaderHint);
        }
    }
}
