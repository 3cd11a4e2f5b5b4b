package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.Role;
import io.ringraft.internal.engine.CampaignCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's INFO line for every election round its node starts (a pre-vote, or a vote without or after
 * one), with its reason: which timer, the leader it last followed, how long ago it heard from a leader,
 * and the longest gap between the core's ticks since the previous such line, less the idle ticks it slept
 * through on purpose (a gap far above the tick shows the core thread was starved: CPU, GC or a blocking
 * call, not a lost leader). Core thread only.
 */
final class CampaignLog {

    private static final Logger LOG = LoggerFactory.getLogger(CoreTask.class);

    private final long groupId;
    private final long selfId;
    private final long tickMillis;
    /** The longest gap between two tick passes since the last line (nanoseconds). */
    private long longestTickGapNanos;

    CampaignLog(long groupId, long selfId, long tickNanos) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.tickMillis = tickNanos / 1_000_000;
    }

    /** A tick pass found {@code gapNanos} since the last counted tick (the idle ones slept through left out). */
    void tickGap(long gapNanos) {
        if (gapNanos > longestTickGapNanos) {
            longestTickGapNanos = gapNanos;
        }
    }

    /**
     * Logs the round the node starts.
     *
     * @param cause   why, as the engine recorded it
     * @param newRole {@link Role#PRE_CANDIDATE} or {@link Role#CANDIDATE}
     * @param oldRole the role before it
     * @param term    the term the node is in now
     */
    void campaign(CampaignCause cause, Role newRole, Role oldRole, long term) {
        String round = newRole == Role.PRE_CANDIDATE ? "a pre-vote for term " + (term + 1)
                : "an election for term " + term + (oldRole == Role.PRE_CANDIDATE ? " (pre-vote won)" : "");
        String why = switch (cause.reason()) {
            case ELECTION_TIMEOUT -> "election timeout: nothing from "
                    + (cause.formerLeader() != 0 ? "leader " + cause.formerLeader() : "any leader") + " for "
                    + cause.elapsedTicks() + " ticks (" + cause.elapsedTicks() * tickMillis + " ms; timeout drawn "
                    + cause.timeoutTicks() + " ticks)";
            case LEADER_REPORTED_LOST -> "leader " + cause.formerLeader() + "'s process was reported lost";
            case TRANSFER -> "leader " + cause.formerLeader() + " handed leadership over";
            case REQUESTED -> "asked to campaign";
        };
        LOG.info("node {} of group {} starts {}: {}; longest gap between core ticks since the last election {} ms "
                + "(tick {} ms)", selfId, groupId, round, why, longestTickGapNanos / 1_000_000, tickMillis);
        longestTickGapNanos = 0;
    }
}
