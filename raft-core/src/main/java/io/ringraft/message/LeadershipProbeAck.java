package io.ringraft.message;

/**
 * A voter's answer to a {@link LeadershipProbe}: it still follows the sender in {@code term}.
 *
 * @param from  the voter
 * @param to    the leader
 * @param term  the voter's term
 * @param round the round acknowledged
 */
public record LeadershipProbeAck(long from, long to, long term, long round) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from  the voter
     * @param to    the leader
     * @param term  the voter's term
     * @param round the round acknowledged
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public LeadershipProbeAck {
        RaftMessage.checkHeader(from, to, term);
    }
}
