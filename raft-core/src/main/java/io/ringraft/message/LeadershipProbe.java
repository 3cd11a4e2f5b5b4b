package io.ringraft.message;

/**
 * A leader confirms it is still the leader before answering reads: every voter that still follows
 * it in {@code term} answers with a {@link LeadershipProbeAck} for {@code round}. Also counts as a
 * heartbeat.
 *
 * @param from  the leader
 * @param to    a voter
 * @param term  the leader's term
 * @param round the confirmation round (increasing within a term)
 */
public record LeadershipProbe(long from, long to, long term, long round) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from  the leader
     * @param to    a voter
     * @param term  the leader's term
     * @param round the confirmation round (increasing within a term)
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public LeadershipProbe {
        RaftMessage.checkHeader(from, to, term);
    }
}
