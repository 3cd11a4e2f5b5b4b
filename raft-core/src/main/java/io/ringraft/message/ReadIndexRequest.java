package io.ringraft.message;

/**
 * A follower asks the leader for a read index on behalf of a linearizable read it was given.
 *
 * @param from      the follower
 * @param to        the leader it knows
 * @param term      the follower's term
 * @param requestId the follower's id for the read, echoed in the answer
 */
public record ReadIndexRequest(long from, long to, long term, long requestId) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the follower
     * @param to        the leader it knows
     * @param term      the follower's term
     * @param requestId the follower's id for the read, echoed in the answer
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ReadIndexRequest {
        RaftMessage.checkHeader(from, to, term);
    }
}
