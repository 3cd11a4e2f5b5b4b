package io.ringraft.internal.engine;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;

/**
 * Quiescence: an idle group stops ticking and heartbeating, so that a process can host thousands of
 * groups that cost nothing while nobody uses them (DESIGN section 4b).
 *
 * <p><b>Leader.</b> With {@link EngineConfig#quiesceAfterTicks()} > 0, each leader tick first asks
 * whether the group is idle: nothing appended since the count began, the leader's whole log durable
 * and committed, every member (voters and learners) replicating with its match at the leader's last
 * index and nothing in flight, no read waiting or being confirmed, no transfer, no membership change,
 * and every follower heard from within the last election timeout. After that many consecutive idle
 * ticks the leader sends each member a {@link Quiesce} with its last log id (which is also its commit
 * index), ends its read lease, and goes quiet: {@link RaftEngine#tick()} does nothing (no heartbeats,
 * no check-quorum, no lease clock).
 *
 * <p><b>Follower.</b> A {@code Quiesce} from the leader of its term is taken only if the follower's
 * log ends at the same entry, matches the leader's up to it (verified) and is durable there, and no
 * forwarded read waits; the follower then adopts the commit index and goes quiet: its ticks do not
 * advance the election timer, and it keeps treating its leader as alive (it ignores other candidates
 * as check-quorum's lease rule says). Otherwise it stays active and sends the leader a wake-up call
 * (a {@link LeadershipProbeAck} of round 0, which no leader ever starts, so it confirms nothing),
 * so that a follower never waits for heartbeats that a quiesced leader does not send.
 *
 * <p><b>Late answers.</b> Answers to heartbeats and read rounds the leader sent before it went quiet
 * may arrive after: a success acknowledgement of its term that does not raise the follower's match,
 * or a probe acknowledgement of a round above 0. They tell a quiet leader nothing and do not wake it
 * (probe acknowledgements are dropped, so no round completes, and no lease is taken, while quiet);
 * everything else does.
 *
 * <p><b>Waking.</b> A proposal, read, transfer or membership change, and any inbound message other
 * than a matching {@code Quiesce}, wakes the node. A leader wakes by sending a heartbeat to every
 * member at once (which wakes them) and restarting check-quorum's count (a full election timeout for
 * followers to answer). A follower wakes with a fresh election timer; if what woke it did not come
 * from its leader, it sends the leader a wake-up call so that the leader wakes too (otherwise it
 * would campaign against a live leader that stays silent). A woken leader's lease is over: its
 * clock stood still while it was quiet.
 *
 * <p><b>Lost peers.</b> Quiet followers cannot notice a dead leader by themselves: the host's liveness
 * detector calls {@link RaftEngine#peerUnreachable(long)}. A quiet follower whose leader is that node
 * wakes with its lease over and its timer set to run out after a random 1 .. half an election
 * timeout of ticks (so report and election fit in two election timeouts; followers of the same lost
 * leader that campaign together do not split the vote, see {@link #yieldsPreVote}); a
 * quiet leader that loses a member wakes (heartbeats and check-quorum resume, so it steps down if it
 * lost its quorum). The detector must report a process only after hearing nothing from it for at
 * least one election timeout: that keeps leader leases safe, because a follower that acknowledged a
 * lease round is active (quiescing ends the leader's lease first) and the detector cannot fire for it
 * within the lease.
 *
 * <p><b>Dormant start.</b> A node the runtime starts dormant ({@link RaftEngine#startDormant()}) is quiet
 * from its first moment without knowing a leader: it runs no election timer, so a host that creates (or
 * restarts) thousands of groups does not start thousands of elections at once. It wakes as any quiet node
 * does: a peer's message (a candidate's vote request, a leader's append or {@code Quiesce}) or
 * {@link RaftEngine#wake()} wakes it with a fresh election timer; local demand (a read, or
 * {@link RaftEngine#demand()}: a proposal to forward, someone waiting for a leader) wakes it to campaign
 * within a random 1 .. half an election timeout, like a follower whose leader was reported lost. A
 * report of a lost peer does not wake it (it follows nobody). Once woken, or once it follows a leader,
 * it is an ordinary node.
 *
 * <p>Owned by the engine; single-threaded.
 */
final class Quiescence {

    private final RaftEngine engine;
    private final int afterTicks;
    /** Whether this node is quiet now (leader or follower). */
    private boolean quiesced;
    /** Quiet since it started, following nobody ({@link #startDormant()}); implies {@link #quiesced}. */
    private boolean dormant;
    /** Leader: consecutive idle ticks so far. */
    private int idleTicks;
    /**
     * Follower: the leader the liveness detector reported lost, in {@link #lostLeaderTerm}, until a
     * message other than a {@code Quiesce} comes from it (0: none). A late {@code Quiesce} from it must
     * not put this node back to sleep behind a dead leader.
     */
    private long lostLeader;
    private long lostLeaderTerm;

    Quiescence(RaftEngine engine) {
        this.engine = engine;
        this.afterTicks = engine.config.quiesceAfterTicks();
    }

    boolean quiesced() {
        return quiesced;
    }

    /** Something happened that is not idleness (an append, a role change): the count starts over. */
    void activity() {
        idleTicks = 0;
    }

    /** A role or term change: a node in a new role is never quiet. */
    void reset() {
        quiesced = false;
        dormant = false;
        idleTicks = 0;
    }

    /**
     * Starts the node dormant (see the class comment): a follower that knows no leader, before any input.
     *
     * @return true if it is dormant now; false if quiescence is off or the node is not a follower without a leader
     */
    boolean startDormant() {
        if (afterTicks == 0 || engine.role != Role.FOLLOWER || engine.leaderId != 0) {
            return false;
        }
        quiesced = true;
        dormant = true;
        return true;
    }

    /** Whether the node is still dormant: quiet since it started, following nobody. */
    boolean dormant() {
        return dormant;
    }

    // ------------------------------------------------------------------ leader

    /**
     * A leader tick is running, and the group was {@code idle} at its start ({@link Replication#idle()}):
     * counts it, and quiesces the group once it has been idle for {@code quiesceAfterTicks} ticks in a
     * row, before the tick's heartbeats go out.
     *
     * @return true if the group went quiet (the tick must send nothing more)
     */
    boolean leaderTicked(boolean idle) {
        if (afterTicks == 0 || engine.role != Role.LEADER) {
            return false;
        }
        if (!idle) {
            idleTicks = 0;
            return false;
        }
        if (++idleTicks < afterTicks) {
            return false;
        }
        idleTicks = 0;
        quiesced = true;
        engine.reads.endLease(); // ticks stop: a lease could not expire while quiet, so it ends now
        LogId last = engine.log.last();
        for (long member : engine.clusterConfig().membersView()) {
            if (member != engine.selfId) {
                engine.send(new Quiesce(engine.selfId, member, engine.term(), last));
            }
        }
        return true;
    }

    /** Leader, quiet: whether {@code message} is a late answer that must not wake it (see above). */
    boolean isLateAnswer(RaftMessage message, Replication replication) {
        if (message.term() != engine.term()) {
            return false;
        }
        if (message instanceof LeadershipProbeAck ack) {
            return ack.round() > 0;
        }
        return message instanceof AppendEntriesResponse response && replication.isNoNews(response);
    }

    /**
     * Whether this node, campaigning because its leader was reported lost, refuses {@code request}'s
     * pre-vote to break a tie: every follower of a lost leader is woken by the same report at about
     * the same time, and two that campaign at once would each grant the other's pre-vote, then split
     * the real vote and lose another election timeout. Between two pre-candidates of the lost leader
     * with the same last entry, only the lower id gets the other's pre-vote. A pre-vote changes no
     * state, so this is only about who goes first; the refused one still votes for the other.
     */
    boolean yieldsPreVote(io.ringraft.message.VoteRequest request) {
        return engine.role == Role.PRE_CANDIDATE && lostLeader != 0 && lostLeaderTerm == engine.term()
                && request.lastLogId().equals(engine.log.last()) && request.from() > engine.selfId;
    }

    /** Follower: tells the leader to wake (a probe acknowledgement of round 0). */
    private void callLeader() {
        if (engine.leaderId != 0 && engine.role == Role.FOLLOWER) {
            engine.send(new LeadershipProbeAck(engine.selfId, engine.leaderId, engine.term(), 0));
        }
    }

    // ------------------------------------------------------------------ follower

    /**
     * A {@code Quiesce} arrived (addressed to this node). Applies the term rules itself: an older term
     * is answered so that a deposed leader learns the newer term; a newer or current term's sender is
     * its leader. Quiesces if the follower's state matches, otherwise wakes (and so answers the leader).
     */
    void onQuiesce(Quiesce message) {
        if (message.term() < engine.term()) {
            // A deposed leader that went quiet: the answer carries the newer term, which makes it step down.
            engine.send(AppendEntriesResponse.rejected(engine.selfId, message.from(), engine.term(),
                    message.lastLogId().index(), engine.log.last()));
            return;
        }
        if (message.from() == lostLeader && message.term() == lostLeaderTerm) {
            return; // sent before its process was lost (a late delivery): it proves nothing
        }
        if (message.term() > engine.term()) {
            engine.becomeFollower(message.term(), message.from());
        }
        dormant = false; // it follows a leader now
        engine.followLeader(message); // (throws if this node leads the same term: two leaders)
        LogId last = message.lastLogId();
        boolean matches = engine.log.last().equals(last)
                && engine.followerLog.verifiedIndex() >= last.index()
                && engine.io.durableIndex() >= last.index()
                && engine.reads.pendingForwarded() == 0;
        if (!matches) {
            quiesced = false;
            callLeader(); // the leader wakes and brings this follower up to date
            return;
        }
        engine.advanceCommit(last.index()); // everything up to it is committed on the leader
        quiesced = true;
    }

    // ------------------------------------------------------------------ waking

    /**
     * Wakes a quiet node because of {@code cause} (a message about to be handled, or null for a local
     * request). Does nothing if the node is not quiet.
     */
    void wake(io.ringraft.message.RaftMessage cause) {
        if (cause != null && cause.from() == lostLeader) {
            lostLeader = 0; // heard from again: it was not lost after all, or it is back
        }
        if (dormant && cause == null && engine.leaderId == 0) {
            // Local demand on a node that never heard of a leader: campaign soon, not after a whole timeout.
            dormant = false;
            quiesced = false;
            idleTicks = 0;
            engine.followerLostLeader();
            return;
        }
        wakeUp(cause != null && (cause.from() != engine.leaderId || cause.term() != engine.term()));
    }

    /**
     * Wakes a quiet node (nothing if it is not quiet). A follower tells its leader if
     * {@code tellLeader} (what woke it did not come from the leader, which must heartbeat again).
     */
    void wakeUp(boolean tellLeader) {
        if (!quiesced) {
            return;
        }
        quiesced = false;
        dormant = false;
        idleTicks = 0;
        if (engine.role == Role.LEADER) {
            engine.leaderWoke();
            return;
        }
        engine.followerWoke();
        if (tellLeader) {
            callLeader();
        }
    }

    /**
     * The host's liveness detector reports {@code nodeId}'s process lost. A quiet follower of it wakes
     * and campaigns within half an election timeout, an active one too unless its own timer runs out
     * sooner; a quiet leader with it as a member wakes.
     *
     * @return true if this node woke
     */
    boolean peerUnreachable(long nodeId) {
        if (nodeId == engine.selfId) {
            return false;
        }
        if (!quiesced) {
            // An active follower of the lost leader need not wait out its own randomized timeout (up to two
            // election timeouts after the leader's last word): the report already comes an election timeout
            // after it, so it campaigns as a quiet follower would, unless its own timer runs out sooner.
            if (engine.role == Role.FOLLOWER && afterTicks > 0 && nodeId == engine.leaderId) {
                lostLeader = nodeId;
                lostLeaderTerm = engine.term();
                engine.activeFollowerLostLeader();
            }
            return false;
        }
        if (engine.role == Role.LEADER) {
            if (!engine.clusterConfig().isMember(nodeId)) {
                return false;
            }
            wakeUp(false);
            return true;
        }
        if (nodeId != engine.leaderId) {
            return false;
        }
        lostLeader = nodeId;
        lostLeaderTerm = engine.term();
        quiesced = false;
        engine.followerLostLeader();
        return true;
    }
}
