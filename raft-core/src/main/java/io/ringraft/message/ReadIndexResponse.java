package io.ringraft.message;

/**
 * The leader's answer to a {@link ReadIndexRequest}: once a quorum confirmed its leadership after
 * the request arrived, {@code readIndex} is its commit index, and a read served at or after that
 * index is linearizable. {@code success == false} if it is not (or no longer) the leader.
 *
 * @param from      the leader
 * @param to        the follower
 * @param term      the leader's term
 * @param requestId the follower's id for the read
 * @param success   whether a read index was established
 * @param readIndex the read index (0 when not successful)
 */
public record ReadIndexResponse(long from, long to, long term, long requestId, boolean success, long readIndex)
        implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the leader
     * @param to        the follower
     * @param term      the leader's term
     * @param requestId the follower's id for the read
     * @param success   whether a read index was established
     * @param readIndex the read index (0 when not successful)
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ReadIndexResponse {
        RaftMessage.checkHeader(from, to, term);
        if (readIndex < 0) {
            throw new IllegalArgumentException("readIndex must not be negative, got " + readIndex);
        }
    }
}
