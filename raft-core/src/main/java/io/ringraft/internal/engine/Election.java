package io.ringraft.internal.engine;

import io.ringraft.internal.engine.progress.IoProgress;
import io.ringraft.internal.engine.quorum.Quorum;
import io.ringraft.internal.engine.quorum.VoteResult;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.Arrays;

/**
 * Elections: the randomized timeout, pre-vote and vote rounds, the term rules every message passes
 * first, and the vote lease that check-quorum gives followers.
 *
 * <p>Durability rule: a granted vote is announced, and a candidate counts its own vote, only after
 * the log writer reports the vote durable ({@link IoProgress#voteDurable()}). Otherwise a node that
 * crashed after answering could vote again in the same term after restart.
 */
final class Election {

    private final RaftEngine engine;
    /** Per voter (by position in {@link #voterIds}): granted, rejected or pending. */
    private long[] voterIds;
    private int[] votes;
    private int randomizedTimeout;
    /** Whether this candidate's own vote is durable and counted. */
    private boolean selfVoteCounted;
    /** A real vote granted in {@link #grantTerm} whose answer waits for the vote to be durable. */
    private long pendingGrantTo;
    private long grantTerm;
    /** The current real round was asked for by the leader (leadership transfer). */
    private boolean transferCampaign;
    /** The timer was shortened because the leader was reported lost. */
    private boolean leaderReportedLost;
    /** Why the latest round started. */
    private CampaignCause lastCause = CampaignCause.NONE;

    Election(RaftEngine engine) {
        this.engine = engine;
        this.voterIds = engine.clusterConfig().membersView();
        this.votes = new int[voterIds.length];
    }

    /** The voter set changed: tally votes over the new members (a running round keeps its votes). */
    void configChanged() {
        long[] ids = engine.clusterConfig().membersView();
        int[] tally = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tally[i] = voteOf(ids[i]);
        }
        voterIds = ids;
        votes = tally;
    }

    // ------------------------------------------------------------------ timer

    void resetTimer() {
        leaderReportedLost = false;
        engine.electionElapsed = 0;
        int base = engine.config.electionTimeoutTicks();
        randomizedTimeout = base + engine.random.nextInt(base);
    }

    /**
     * The leader is known lost (quiescence): the lease is over at once (a full election timeout counts
     * as elapsed) and the timer runs out after {@code ticks} more ticks.
     */
    void expireLeaseAndCampaignAfter(int ticks) {
        int base = engine.config.electionTimeoutTicks();
        engine.electionElapsed = base;
        randomizedTimeout = base + ticks;
        leaderReportedLost = true;
    }

    /**
     * Campaigns after at most {@code ticks} more ticks with the lease over (as
     * {@link #expireLeaseAndCampaignAfter}), unless the timer runs out sooner anyway.
     */
    void campaignWithin(int ticks) {
        if (randomizedTimeout - engine.electionElapsed > ticks) {
            expireLeaseAndCampaignAfter(ticks);
        }
    }

    /** {@return the number of ticks until the one that campaigns (MAX_VALUE: a non-voter never does)} */
    int ticksUntilDue() {
        if (!engine.quorum.isVoter(engine.selfId)) {
            return Integer.MAX_VALUE;
        }
        return Math.max(1, randomizedTimeout - engine.electionElapsed);
    }

    void tick() {
        engine.electionElapsed++;
        if (engine.electionElapsed >= randomizedTimeout && engine.quorum.isVoter(engine.selfId)) {
            campaign(leaderReportedLost ? CampaignCause.Reason.LEADER_REPORTED_LOST
                    : CampaignCause.Reason.ELECTION_TIMEOUT);
        }
    }

    /** Why the latest round started. */
    CampaignCause lastCause() {
        return lastCause;
    }

    /** Starts a pre-vote round if enabled, otherwise a real election. */
    void campaign() {
        campaign(CampaignCause.Reason.REQUESTED);
    }

    private void campaign(CampaignCause.Reason reason) {
        if (!engine.quorum.isVoter(engine.selfId)) {
            return;
        }
        lastCause = new CampaignCause(reason, engine.leaderId(), engine.electionElapsed, randomizedTimeout);
        transferCampaign = false;
        startRound(engine.config.preVote());
    }

    /** The leader handed leadership to us ({@code TimeoutNow}): a real election at once. */
    void campaignForTransfer() {
        if (!engine.quorum.isVoter(engine.selfId)) {
            return;
        }
        lastCause = new CampaignCause(CampaignCause.Reason.TRANSFER, engine.leaderId(), engine.electionElapsed,
                randomizedTimeout);
        transferCampaign = true;
        startRound(false);
    }

    private void startRound(boolean preVote) {
        resetTimer();
        clearVotes();
        if (preVote) {
            engine.becomePreCandidate();
            record(engine.selfId, true);
            selfVoteCounted = true;
        } else {
            engine.becomeCandidate();
            selfVoteCounted = false;
            if (engine.io.voteDurable()) {
                countSelfVote();
            }
        }
        long term = preVote ? engine.term() + 1 : engine.term();
        for (long voter : voterIds) {
            if (voter != engine.selfId && engine.quorum.isVoter(voter)) {
                engine.send(new VoteRequest(engine.selfId, voter, term, engine.log.last(), preVote,
                        !preVote && transferCampaign));
            }
        }
        checkOutcome();
    }

    // ------------------------------------------------------------------ term rules

    /**
     * Applies Raft's term rules before any role-specific handling.
     *
     * @return true if the message should go on to its handler
     */
    boolean applyTermRules(RaftMessage message) {
        long term = message.term();
        long current = engine.term();
        if (term > current) {
            if (message instanceof VoteRequest request) {
                if (inLease() && !request.leadershipTransfer()) {
                    return false; // check-quorum: we hear from a live leader; ignore disruptions
                }
                if (!request.preVote()) {
                    engine.becomeFollower(term, 0);
                }
                return true;
            }
            if (message instanceof VoteResponse response && response.preVote() && response.granted()) {
                return true; // a granted pre-vote carries the term we would campaign in
            }
            boolean fromLeader = message instanceof AppendEntriesRequest || message instanceof LeadershipProbe
                    || message instanceof InstallSnapshotRequest;
            engine.becomeFollower(term, fromLeader ? message.from() : 0);
            return true;
        }
        if (term < current) {
            answerStale(message);
            return false;
        }
        return true;
    }

    /** A message from an older term: tell the sender the newer term where that helps it, else drop. */
    private void answerStale(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request) {
            // A deposed leader learns the new term and steps down.
            engine.send(AppendEntriesResponse.rejected(engine.selfId, request.from(), engine.term(),
                    request.prevLogId().index(), engine.log.last()));
        } else if (message instanceof VoteRequest request) {
            engine.send(new VoteResponse(engine.selfId, request.from(), engine.term(), false,
                    request.preVote()));
        } else if (message instanceof LeadershipProbe probe) {
            // A deposed leader confirming reads learns the new term and steps down.
            engine.send(new LeadershipProbeAck(engine.selfId, probe.from(), engine.term(), probe.round()));
        } else if (message instanceof InstallSnapshotRequest chunk) {
            // A deposed leader still sending a snapshot learns the new term and steps down.
            engine.send(InstallSnapshotResponse.progress(engine.selfId, chunk.from(), engine.term(),
                    chunk.snapshot(), 0));
        } else if (message instanceof ReadIndexRequest request) {
            engine.send(new ReadIndexResponse(engine.selfId, request.from(), engine.term(),
                    request.requestId(), false, 0));
        }
    }

    /** True while check-quorum says a leader is alive: we heard from it within the election timeout. */
    private boolean inLease() {
        return engine.config.checkQuorum() && engine.leaderId != 0
                && engine.electionElapsed < engine.config.electionTimeoutTicks();
    }

    // ------------------------------------------------------------------ voter side

    void onVoteRequest(VoteRequest request) {
        boolean upToDate = request.lastLogId().isAtLeastAsUpToDateAs(engine.log.last());
        Vote vote = engine.vote;
        if (request.preVote()) {
            // A pre-vote changes nothing here; grant if a real vote in that term could be granted.
            boolean canVote = request.term() > vote.term()
                    || (vote.votedFor() == request.from())
                    || (!vote.hasVoted() && engine.leaderId == 0);
            boolean grant = canVote && upToDate && !engine.quiescence.yieldsPreVote(request);
            engine.send(new VoteResponse(engine.selfId, request.from(),
                    grant ? request.term() : vote.term(), grant, true));
            return;
        }
        // Real vote: the term rules already moved us to request.term().
        boolean canVote = vote.votedFor() == request.from() || (!vote.hasVoted() && engine.leaderId == 0);
        if (!canVote || !upToDate) {
            engine.send(new VoteResponse(engine.selfId, request.from(), vote.term(), false, false));
            return;
        }
        engine.saveVote(new Vote(vote.term(), request.from()));
        resetTimer();
        pendingGrantTo = request.from();
        grantTerm = vote.term();
        sendPendingGrant();
    }

    private void sendPendingGrant() {
        if (pendingGrantTo != 0 && engine.io.voteDurable()) {
            if (grantTerm == engine.term() && engine.vote.votedFor() == pendingGrantTo) {
                engine.send(new VoteResponse(engine.selfId, pendingGrantTo, grantTerm, true, false));
            }
            pendingGrantTo = 0;
        }
    }

    /** Storage made more state durable: release a waiting grant or count our own vote. */
    void onFlushed() {
        sendPendingGrant();
        if (engine.role == Role.CANDIDATE && !selfVoteCounted && engine.io.voteDurable()) {
            countSelfVote();
            checkOutcome();
        }
    }

    private void countSelfVote() {
        selfVoteCounted = true;
        record(engine.selfId, true);
    }

    // ------------------------------------------------------------------ candidate side

    void onVoteResponse(VoteResponse response) {
        Role role = engine.role;
        if (response.preVote()) {
            if (role != Role.PRE_CANDIDATE) {
                return;
            }
            if (response.granted() && response.term() != engine.term() + 1) {
                return; // an answer to an older round
            }
        } else if (role != Role.CANDIDATE) {
            return;
        }
        record(response.from(), response.granted());
        checkOutcome();
    }

    private void checkOutcome() {
        VoteResult result = engine.quorum.voteResult(this::voteOf);
        Role role = engine.role;
        if (result == VoteResult.WON) {
            if (role == Role.PRE_CANDIDATE) {
                startRound(false);
            } else if (role == Role.CANDIDATE && selfVoteCounted) {
                // Lead only once our own vote for this term is durable, even if peers alone make a
                // quorum: otherwise a crash could bring us back in the previous term, our voters
                // would grant a repeated request for this term, and we would lead it a second
                // time with a different log. onFlushed() re-checks when the vote becomes durable.
                engine.becomeLeader();
            }
        } else if (result == VoteResult.LOST) {
            engine.becomeFollower(engine.term(), 0);
        }
    }

    private void clearVotes() {
        Arrays.fill(votes, Quorum.VoteSource.PENDING);
    }

    private void record(long voter, boolean granted) {
        for (int i = 0; i < voterIds.length; i++) {
            if (voterIds[i] == voter) {
                votes[i] = granted ? Quorum.VoteSource.GRANTED : Quorum.VoteSource.REJECTED;
                return;
            }
        }
    }

    private int voteOf(long voter) {
        for (int i = 0; i < voterIds.length; i++) {
            if (voterIds[i] == voter) {
                return votes[i];
            }
        }
        return Quorum.VoteSource.PENDING;
    }
}
