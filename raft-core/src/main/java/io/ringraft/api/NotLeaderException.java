package io.ringraft.api;

/** The node is not the leader; {@link #leaderHint()} names the leader it knows of, or 0. */
public final class NotLeaderException extends RaftException {

    private final long leaderHint;

    public NotLeaderException(long nodeId, long leaderHint) {
        super("node " + nodeId + " is not the leader" + (leaderHint != 0 ? "; try node " + leaderHint
                : "; no leader known"), null);
        this.leaderHint = leaderHint;
    }

    /** The leader this node knows of, or 0 if none. */
    public long leaderHint() {
        return leaderHint;
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
