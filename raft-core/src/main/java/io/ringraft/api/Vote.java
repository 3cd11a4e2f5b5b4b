package io.ringraft.api;

/**
 * A node's durable election state: its current term and whom it voted for in that term.
 *
 * <p>Raft requires this to be on stable storage before any message that depends on it leaves the
 * node; RingRaft's engine enforces that by granting votes and counting its own candidacy only after
 * the log writer reports the vote durable. {@link #NONE} ({@code votedFor == 0}) means no vote was
 * cast in the term. Votes are ordered by term; within one term a vote can only go from none to one
 * candidate, never between two candidates.
 *
 * <p>Immutable value; safe to share across threads.
 *
 * @param term     the current term, {@code >= 0}
 * @param votedFor the node id voted for in {@code term}, or {@link #NONE} (0)
 */
public record Vote(long term, long votedFor) {

    /** {@code votedFor} value meaning "no vote cast in this term". Node ids are positive. */
    public static final long NONE = 0;

    /** The vote of a node that has never seen a term. */
    public static final Vote INITIAL = new Vote(0, NONE);

    /**
     * The vote a node gave in a term.
     *
     * @param term the term (at least 0)
     * @param votedFor the node voted for in that term, or {@link #NONE}
     * @throws IllegalArgumentException if term or votedFor is negative
     */
    public Vote {
        if (term < 0 || votedFor < 0) {
            throw new IllegalArgumentException("Vote needs term >= 0 and votedFor >= 0, got term="
                    + term + " votedFor=" + votedFor);
        }
    }

    /** {@return true if a vote was cast in this term} */
    public boolean hasVoted() {
        return votedFor != NONE;
    }

    @Override
    public String toString() {
        return "T" + term + (hasVoted() ? "->" + votedFor : "");
    }
}
