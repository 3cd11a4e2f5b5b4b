package io.ringraft.internal.engine;

import java.util.Arrays;

/**
 * The engine's configuration: who this node is, who votes, and its timing in ticks.
 *
 * <p>Built once by the runtime (from the public configuration) and handed to {@link RaftEngine}.
 * Every time is a number of {@link RaftEngine#tick() ticks}; the runtime decides how long a tick is.
 * The voter set is fixed for now; dynamic membership replaces it with a configuration log entry.
 *
 * @param selfId                 this node's id, positive
 * @param voters                 the ids of the voting members (this node may or may not be one)
 * @param electionTimeoutTicks   the base election timeout; a follower waits a random time in
 *                               {@code [electionTimeoutTicks, 2 * electionTimeoutTicks)} before it
 *                               campaigns, and a leader checks its quorum once per this period
 * @param heartbeatIntervalTicks how often a leader sends heartbeats; less than the election timeout
 * @param preVote                run a pre-vote round before raising the term (Raft thesis 9.6)
 * @param checkQuorum            a leader that has not heard from a quorum for an election timeout
 *                               steps down, and voters ignore vote requests while they hear from a
 *                               live leader
 * @param maxInflightAppends     the pipelining window: AppendEntries with entries that may be
 *                               unacknowledged per follower at once
 * @param maxEntriesPerAppend    the most entries one AppendEntries carries
 * @param maxPendingReads        linearizable reads the engine tracks at once (as leader, and
 *                               forwarded to the leader as follower); beyond it reads fail at once
 * @param leaseTicks             0: every read confirms leadership with a quorum round. Otherwise a
 *                               leader answers reads without a round for this many of its ticks
 *                               after sending a round a quorum confirmed (a leader lease); must be
 *                               less than the election timeout, and needs check-quorum
 * @param quiesceAfterTicks      0: the group never goes quiet. Otherwise a leader whose group has
 *                               been idle (everything replicated and committed, nothing pending,
 *                               every follower answering) for this many consecutive ticks quiesces
 *                               it: no heartbeats and no election timers until a proposal, read,
 *                               message or lost peer wakes it (see {@link Quiescence}). At least the
 *                               election timeout, and needs check-quorum
 */
public record EngineConfig(long selfId, long[] voters, int electionTimeoutTicks,
                           int heartbeatIntervalTicks, boolean preVote, boolean checkQuorum,
                           int maxInflightAppends, int maxEntriesPerAppend, int maxPendingReads,
                           int leaseTicks, int quiesceAfterTicks) {

    /** A configuration whose groups never quiesce. */
    public EngineConfig(long selfId, long[] voters, int electionTimeoutTicks, int heartbeatIntervalTicks,
                        boolean preVote, boolean checkQuorum, int maxInflightAppends, int maxEntriesPerAppend,
                        int maxPendingReads, int leaseTicks) {
        this(selfId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote, checkQuorum,
                maxInflightAppends, maxEntriesPerAppend, maxPendingReads, leaseTicks, 0);
    }

    /** A configuration without leader leases. */
    public EngineConfig(long selfId, long[] voters, int electionTimeoutTicks, int heartbeatIntervalTicks,
                        boolean preVote, boolean checkQuorum, int maxInflightAppends, int maxEntriesPerAppend,
                        int maxPendingReads) {
        this(selfId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote, checkQuorum,
                maxInflightAppends, maxEntriesPerAppend, maxPendingReads, 0);
    }

    /** The default read bound: 1024 pending reads. */
    public static final int DEFAULT_MAX_PENDING_READS = 1024;

    /** A configuration with {@link #DEFAULT_MAX_PENDING_READS}. */
    public EngineConfig(long selfId, long[] voters, int electionTimeoutTicks, int heartbeatIntervalTicks,
                        boolean preVote, boolean checkQuorum, int maxInflightAppends, int maxEntriesPerAppend) {
        this(selfId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote, checkQuorum,
                maxInflightAppends, maxEntriesPerAppend, DEFAULT_MAX_PENDING_READS);
    }

    /**
     * @throws IllegalArgumentException with a message naming the offending setting
     */
    public EngineConfig {
        if (selfId <= 0) {
            throw new IllegalArgumentException("selfId must be positive, got " + selfId);
        }
        voters = voters.clone();
        Arrays.sort(voters);
        if (voters.length == 0) {
            throw new IllegalArgumentException("at least one voter is needed");
        }
        for (int i = 0; i < voters.length; i++) {
            if (voters[i] <= 0) {
                throw new IllegalArgumentException("voter ids must be positive, got " + voters[i]);
            }
            if (i > 0 && voters[i] == voters[i - 1]) {
                throw new IllegalArgumentException("voter " + voters[i] + " is listed twice");
            }
        }
        if (heartbeatIntervalTicks < 1) {
            throw new IllegalArgumentException("heartbeatIntervalTicks must be >= 1, got "
                    + heartbeatIntervalTicks);
        }
        if (electionTimeoutTicks <= heartbeatIntervalTicks) {
            throw new IllegalArgumentException("electionTimeoutTicks (" + electionTimeoutTicks
                    + ") must be greater than heartbeatIntervalTicks (" + heartbeatIntervalTicks + ")");
        }
        if (maxInflightAppends < 1) {
            throw new IllegalArgumentException("maxInflightAppends must be >= 1, got " + maxInflightAppends);
        }
        if (maxEntriesPerAppend < 1) {
            throw new IllegalArgumentException("maxEntriesPerAppend must be >= 1, got " + maxEntriesPerAppend);
        }
        if (maxPendingReads < 1) {
            throw new IllegalArgumentException("maxPendingReads must be >= 1, got " + maxPendingReads);
        }
        if (leaseTicks < 0 || leaseTicks >= electionTimeoutTicks) {
            throw new IllegalArgumentException("leaseTicks must be in [0, electionTimeoutTicks), got " + leaseTicks);
        }
        if (leaseTicks > 0 && !checkQuorum) {
            throw new IllegalArgumentException("leader leases need check-quorum: without it followers do not "
                    + "refuse to elect another leader while the lease runs");
        }
        if (quiesceAfterTicks != 0 && quiesceAfterTicks < electionTimeoutTicks) {
            throw new IllegalArgumentException("quiesceAfterTicks must be 0 (off) or at least electionTimeoutTicks ("
                    + electionTimeoutTicks + "), got " + quiesceAfterTicks);
        }
        if (quiesceAfterTicks != 0 && !checkQuorum) {
            throw new IllegalArgumentException("quiescence needs check-quorum: a quiesced follower refuses other "
                    + "candidates only under its lease rule, and a woken leader without a quorum must step down");
        }
    }

    /** A configuration with the usual defaults: election 10 ticks, heartbeat 1, pre-vote and check-quorum on. */
    public static EngineConfig withDefaults(long selfId, long... voters) {
        return new EngineConfig(selfId, voters, 10, 1, true, true, 64, 256);
    }

    /** The voter ids, sorted ascending (a copy). */
    @Override
    public long[] voters() {
        return voters.clone();
    }

    /** True if {@code id} is a voter. */
    public boolean isVoter(long id) {
        return Arrays.binarySearch(voters, id) >= 0;
    }

    /** A copy of this configuration with pre-vote and check-quorum set as given. */
    public EngineConfig withElectionSafeguards(boolean preVote, boolean checkQuorum) {
        return new EngineConfig(selfId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote,
                checkQuorum, maxInflightAppends, maxEntriesPerAppend, maxPendingReads, leaseTicks, quiesceAfterTicks);
    }

    /** A copy of this configuration with {@link #quiesceAfterTicks()} set (0: never quiesce). */
    public EngineConfig withQuiesceAfterTicks(int ticks) {
        return new EngineConfig(selfId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote,
                checkQuorum, maxInflightAppends, maxEntriesPerAppend, maxPendingReads, leaseTicks, ticks);
    }

    /** A copy of this configuration for another node of the same group. */
    public EngineConfig forNode(long nodeId) {
        return new EngineConfig(nodeId, voters, electionTimeoutTicks, heartbeatIntervalTicks, preVote,
                checkQuorum, maxInflightAppends, maxEntriesPerAppend, maxPendingReads, leaseTicks, quiesceAfterTicks);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineConfig c && selfId == c.selfId && Arrays.equals(voters, c.voters)
                && electionTimeoutTicks == c.electionTimeoutTicks
                && heartbeatIntervalTicks == c.heartbeatIntervalTicks && preVote == c.preVote
                && checkQuorum == c.checkQuorum && maxInflightAppends == c.maxInflightAppends
                && maxEntriesPerAppend == c.maxEntriesPerAppend && maxPendingReads == c.maxPendingReads
                && leaseTicks == c.leaseTicks && quiesceAfterTicks == c.quiesceAfterTicks;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(selfId) * 31 + Arrays.hashCode(voters);
    }

    @Override
    public String toString() {
        return "EngineConfig[self=" + selfId + " voters=" + Arrays.toString(voters) + " election="
                + electionTimeoutTicks + " heartbeat=" + heartbeatIntervalTicks + " preVote=" + preVote
                + " checkQuorum=" + checkQuorum + " window=" + maxInflightAppends + " batch="
                + maxEntriesPerAppend + " reads=" + maxPendingReads + " lease=" + leaseTicks
                + " quiesceAfter=" + quiesceAfterTicks + "]";
    }
}
