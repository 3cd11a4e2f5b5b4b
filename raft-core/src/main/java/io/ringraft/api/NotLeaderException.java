package io.ringraft.api;

/** The node is not the leader; {@link #leaderHint()} names the leader it knows of, or 0. */
public final class NotLeaderException extends RaftException {

    /** The leader the asked node knew of, or 0 (serialized with the exception). */
    private final long leaderHint;

    /**
     * A request that only the leader serves, asked of a node that does not lead.
     *
     * @param nodeId     the node that was asked
     * @param leaderHint the leader that node knows of, or 0 if none
     */
    public NotLeaderException(long nodeId, long leaderHint) {
        super("node " + nodeId + " is not the leader" + (leaderHint != 0 ? "; try node " + leaderHint
                : "; no leader known"), null);
        this.leaderHint = leaderHint;
    }

    /** {@return the leader this node knows of, or 0 if none} */
    public long leaderHint() {
        return leaderHint;
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
