package io.ringraft.internal.engine;

/**
 * Why a node's latest election round (pre-vote or vote) started, for the runtime's log line: the engine
 * records it when the round starts; the core reads it on the state change that follows
 * ({@link RaftEngine#lastCampaign()}). Plain data, no behaviour.
 *
 * @param reason        what started the round
 * @param formerLeader  the leader this node followed when the round started, 0 if it knew none
 * @param elapsedTicks  ticks since the election timer was last reset (the last message of a leader, or
 *                      the start of the previous round)
 * @param timeoutTicks  the randomized timeout the timer ran out against (the ticks the round waited for)
 */
public record CampaignCause(Reason reason, long formerLeader, int elapsedTicks, int timeoutTicks) {

    /** What starts an election round. */
    public enum Reason {
        /** The randomized election timer ran out: nothing heard from a leader for that long. */
        ELECTION_TIMEOUT,
        /** The leader's process was reported lost (quiescence, peer liveness): a shortened timer ran out. */
        LEADER_REPORTED_LOST,
        /** The leader handed leadership to this node ({@code TimeoutNow}). */
        TRANSFER,
        /** Asked for directly ({@code RaftEngine.campaign()}: tests and tools). */
        REQUESTED
    }

    /** Before the first round. */
    static final CampaignCause NONE = new CampaignCause(Reason.REQUESTED, 0, 0, 0);
}
