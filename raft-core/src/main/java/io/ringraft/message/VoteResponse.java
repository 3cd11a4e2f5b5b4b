package io.ringraft.message;

/**
 * The answer to a {@link VoteRequest}.
 *
 * <p>A granted real vote is sent only after the voter's vote is durable. A rejection carries the
 * voter's own term, so a candidate with a stale term learns the newer one.
 *
 * @param from    the voter
 * @param to      the candidate
 * @param term    the request's term when granted, otherwise the voter's current term
 * @param granted whether the vote (or pre-vote) is granted
 * @param preVote true if this answers a pre-vote request
 */
public record VoteResponse(long from, long to, long term, boolean granted, boolean preVote)
        implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from    the voter
     * @param to      the candidate
     * @param term    the request's term when granted, otherwise the voter's current term
     * @param granted whether the vote (or pre-vote) is granted
     * @param preVote true if this answers a pre-vote request
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public VoteResponse {
        RaftMessage.checkHeader(from, to, term);
    }
}
