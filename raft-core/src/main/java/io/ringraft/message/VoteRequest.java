package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * RequestVote: a candidate asks for a vote, or a pre-candidate asks whether it would get one.
 *
 * <p>A pre-vote request ({@code preVote == true}) carries the term the sender would campaign in and
 * changes no state on the receiver; a real request makes the receiver adopt {@code term}.
 *
 * @param from      the candidate
 * @param to        the voter
 * @param term      the candidate's term (for a pre-vote: its current term + 1)
 * @param lastLogId the last entry of the candidate's log, for the up-to-date check
 * @param preVote   true for a pre-vote round
 * @param leadershipTransfer true if the current leader asked the candidate to campaign
 *                  ({@link TimeoutNow}): voters answer even while they still hear from that leader
 */
public record VoteRequest(long from, long to, long term, LogId lastLogId, boolean preVote,
                          boolean leadershipTransfer) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the candidate
     * @param to        the voter
     * @param term      the candidate's term (for a pre-vote: its current term + 1)
     * @param lastLogId the last entry of the candidate's log, for the up-to-date check
     * @param preVote   true for a pre-vote round
     * @param leadershipTransfer true if the current leader asked the candidate to campaign
     *                  ({@link TimeoutNow}): voters answer even while they still hear from that leader
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public VoteRequest {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(lastLogId, "lastLogId");
        if (preVote && leadershipTransfer) {
            throw new IllegalArgumentException("a leadership transfer campaign skips the pre-vote");
        }
    }

    /**
     * An ordinary request (not part of a leadership transfer).
     *
     * @param from the candidate
     * @param to the voter
     * @param term the candidate's term
     * @param lastLogId the last entry of the candidate's log
     * @param preVote true for a pre-vote round
     */
    public VoteRequest(long from, long to, long term, LogId lastLogId, boolean preVote) {
        this(from, to, term, lastLogId, preVote, false);
    }
}
