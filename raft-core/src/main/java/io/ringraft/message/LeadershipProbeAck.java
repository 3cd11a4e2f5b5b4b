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

    public LeadershipProbeAck {
        RaftMessage.checkHeader(from, to, term);
    }
}
