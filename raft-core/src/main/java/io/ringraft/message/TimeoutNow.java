package io.ringraft.message;

/**
 * A leader hands over leadership: the receiver, whose log the leader has brought up to date,
 * campaigns at once (no pre-vote), and its vote requests carry
 * {@link VoteRequest#leadershipTransfer()} so that voters answer despite the current leader.
 *
 * @param from the leader
 * @param to   the chosen successor
 * @param term the leader's term
 */
public record TimeoutNow(long from, long to, long term) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from the leader
     * @param to   the chosen successor
     * @param term the leader's term
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public TimeoutNow {
        RaftMessage.checkHeader(from, to, term);
    }
}
