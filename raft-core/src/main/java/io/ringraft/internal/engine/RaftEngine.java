package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.engine.membership.ConfigEntry;
import io.ringraft.internal.engine.membership.MembershipLog;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.internal.engine.progress.IoProgress;
import io.ringraft.internal.engine.quorum.Quorum;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import io.ringraft.message.TimeoutNow;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The pure Raft state machine of one node of one group.
 *
 * <p><b>Who calls it:</b> exactly one thread at a time (the runtime's core task, or a test harness).
 * It is not thread-safe and never blocks: it has no threads, performs no IO, reads no clock and uses
 * no global randomness. Time arrives as {@link #tick()} calls, randomness from the injected
 * {@link RandomGenerator}, and everything else as {@link #receive(RaftMessage) messages},
 * {@link #propose(int) proposals} and {@link #onFlushed(long) flush reports}; what the node's log
 * buffer can take and send is asked of a {@link LogRoom}. Every effect is produced as data
 * ({@link Effect}) into {@link #effects()}, which the caller takes and carries out after each call, so
 * the same inputs always give the same effects.
 *
 * <p><b>What it guarantees</b> (given an executor that honours the {@link Effect} contract): at most
 * one leader per term; a vote is granted, and a candidate counts its own vote, only once the vote is
 * durable; an append is acknowledged only for entries durable locally and verified to match the
 * leader; the log is truncated only where an entry really conflicts; a leader commits by counting
 * only entries of its own term (Raft Figure 8), and appends a no-op when elected so that it can.
 *
 * <p>The work is split by concern: {@link Election} (timeouts, pre-vote, votes, check-quorum's vote
 * lease), {@link FollowerLog} (AppendEntries on the receiving side), {@link Replication} (the
 * leader's per-follower progress, pipelining and commit), {@link Quorum} (the arithmetic) and
 * {@link IoProgress} (durability). This class holds the shared state and the role transitions.
 */
public final class RaftEngine {

    final EngineConfig config;
    final long selfId;
    /** The quorum arithmetic of the configuration in force (replaced when it changes). */
    Quorum quorum;
    final MembershipLog membership;
    /** What this engine asks of the world, taken by the executor after each input call. */
    final EngineEffects effects = new EngineEffects();
    /** What the node's log buffer can send and take now. */
    final LogRoom room;
    final RandomGenerator random;
    final LogTerms log;
    final IoProgress io;

    private final Election election;
    final FollowerLog followerLog;
    private final SnapshotFollower snapshotFollower;
    final LinearizableReads reads;
    final Quiescence quiescence;
    private Replication replication;

    Vote vote;
    Role role = Role.FOLLOWER;
    long leaderId;
    long commitIndex;
    /** Ticks since the last election-timer reset (for a leader: since the last check-quorum round). */
    int electionElapsed;
    /** Ticks since this engine started: the clock of leader leases. */
    long ticks;
    /** The newest snapshot this node holds durably ({@link LogId#ZERO} if none): what a leader sends. */
    LogId snapshot;
    /** Messages dropped because they came from a non-member or were addressed to another node. */
    long droppedMessages;
    /** The commit index and apply limit of the last {@link Effect.Limits}. */
    private long publishedCommit;
    private long publishedApplyLimit;

    /**
     * @param config    who this node is and how it behaves
     * @param recovered the durable state to resume from
     * @param random    the only source of randomness (seeded in tests and simulations)
     * @param room      what the node's log buffer can send and take
     */
    public RaftEngine(EngineConfig config, RecoveredState recovered, RandomGenerator random, LogRoom room) {
        this.config = Objects.requireNonNull(config, "config");
        this.selfId = config.selfId();
        ConfigEntry initial = recovered.snapshotConfig() != null
                ? new ConfigEntry(recovered.snapshot().index(), recovered.snapshotConfig())
                : new ConfigEntry(0, ClusterConfig.of(config.voters(), new long[0]));
        this.membership = new MembershipLog(initial, recovered.configs());
        this.snapshot = recovered.snapshot();
        this.room = Objects.requireNonNull(room, "room");
        this.random = Objects.requireNonNull(random, "random");
        this.log = recovered.log();
        this.vote = recovered.vote();
        this.commitIndex = recovered.committed();
        this.io = new IoProgress(log.lastIndex(), Math.max(2, config.maxInflightAppends() * 2));
        membership.committedTo(commitIndex);
        this.quorum = membership.current().config().quorum();
        this.election = new Election(this);
        this.followerLog = new FollowerLog(this);
        this.snapshotFollower = new SnapshotFollower(this);
        this.reads = new LinearizableReads(this);
        this.quiescence = new Quiescence(this);
        election.resetTimer();
        this.publishedCommit = commitIndex;
        this.publishedApplyLimit = applyLimit();
    }

    // ------------------------------------------------------------------ effects

    /**
     * The effects produced by the input calls since the executor last cleared them, in order. The
     * executor takes them after every input call (every public method that is not a plain getter).
     */
    public EngineEffects effects() {
        return effects;
    }

    void emit(Effect effect) {
        effects.add(effect);
    }

    void send(RaftMessage message) {
        effects.add(new Effect.Send(message));
    }

    /** Entries up to here are committed and durable locally: they may be applied. */
    public long applyLimit() {
        return Math.min(commitIndex, io.durableIndex());
    }

    /** Emits {@link Effect.Limits} if the commit index or the apply limit rose since the last one. */
    private void publishLimits() {
        long limit = applyLimit();
        if (commitIndex > publishedCommit || limit > publishedApplyLimit) {
            publishedCommit = commitIndex;
            publishedApplyLimit = Math.max(publishedApplyLimit, limit);
            emit(new Effect.Limits(commitIndex, publishedApplyLimit));
        }
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Advances logical time by one tick: election timeouts, heartbeats, check-quorum. Does nothing
     * while the node is {@link #quiesced()}: a quiet node's time stands still, whether or not its
     * scheduler keeps ticking it.
     */
    public void tick() {
        if (quiescence.quiesced()) {
            return;
        }
        ticks++;
        if (role == Role.LEADER) {
            replication.tick();
        } else {
            reads.tick(false);
            election.tick();
        }
    }

    /**
     * {@return how many of the coming ticks would only advance counters} None of them would emit an
     * effect or change the role, term or leader, as long as no other input arrives first; the tick
     * after them may ({@link Integer#MAX_VALUE}: no tick is due, as on a quiet node or a learner with
     * no read waiting). A pure query. The runtime parks its core that many ticks past the last one
     * instead of waking every tick, and counts the ticks that elapsed while it slept before the
     * messages that woke it, so sleeping changes nothing the engine sees.
     */
    public int idleTicks() {
        if (quiescence.quiesced()) {
            return Integer.MAX_VALUE;
        }
        if (config.quiesceAfterTicks() > 0) {
            return 0; // an active leader counts idle ticks towards quiescence: every tick counts
        }
        int due = role == Role.LEADER ? replication.ticksUntilDue() : Math.min(election.ticksUntilDue(), reads.ticksUntilDue());
        return due == Integer.MAX_VALUE ? due : Math.max(0, due - 1);
    }

    /**
     * Handles a message from another node. Messages not addressed to this node are dropped (and
     * counted in {@link #droppedMessages()}). Any message other than a {@link Quiesce} this node
     * takes wakes a quiet node first ({@link Quiescence}).
     */
    public void receive(RaftMessage message) {
        if (message.to() != selfId || message.from() == selfId
                || message instanceof HeartbeatBatch || message instanceof HeartbeatBatchResponse) {
            droppedMessages++; // (host-level batches belong to the host link, never to a node)
            return;
        }
        if (message instanceof Quiesce quiesce) {
            quiescence.onQuiesce(quiesce);
            return;
        }
        if (quiescence.quiesced() && role == Role.LEADER && quiescence.isLateAnswer(message, replication)) {
            return; // an answer to a heartbeat or read round sent before it went quiet: no news, no wake
        }
        quiescence.wake(message);
        // Vote requests are answered whatever this node's configuration says: a node whose log (and so
        // configuration) is behind must still vote for a candidate of a newer configuration, or a
        // cluster mid-change can lose every electable majority. A removed node cannot disrupt: its log
        // stops growing, so pre-votes fail, and voters that hear a live leader ignore it (the lease).
        if (!election.applyTermRules(message)) {
            return;
        }
        if (message instanceof AppendEntriesRequest request) {
            followerLog.onAppendEntries(request);
        } else if (message instanceof AppendEntriesResponse response) {
            if (role == Role.LEADER) {
                replication.onAppendEntriesResponse(response);
            }
        } else if (message instanceof VoteRequest request) {
            election.onVoteRequest(request);
        } else if (message instanceof VoteResponse response) {
            election.onVoteResponse(response);
        } else if (message instanceof LeadershipProbe probe) {
            onLeadershipProbe(probe);
        } else if (message instanceof LeadershipProbeAck ack) {
            if (role == Role.LEADER) {
                replication.markActive(ack.from());
                reads.onAck(ack);
            }
        } else if (message instanceof ReadIndexRequest request) {
            reads.onRequest(request);
        } else if (message instanceof TimeoutNow timeoutNow) {
            if (role == Role.FOLLOWER && timeoutNow.from() == leaderId) {
                election.campaignForTransfer();
            }
        } else if (message instanceof InstallSnapshotRequest chunk) {
            snapshotFollower.onChunk(chunk);
        } else if (message instanceof InstallSnapshotResponse response) {
            if (role == Role.LEADER) {
                replication.onInstallSnapshotResponse(response);
            }
        } else if (message instanceof ReadIndexResponse response) {
            if (role == Role.FOLLOWER && response.from() == leaderId) {
                reads.onResponse(response);
            }
        }
    }

    /**
     * Where the next proposal goes: the index of its entry (of {@link #term()}) if this node leads and
     * takes proposals now, or -1 (not the leader, or handing leadership over). The caller places up
     * to as many commands as fit from this index on, then calls {@link #propose(int)} with their
     * number; nothing else may call the engine in between.
     */
    public long nextProposalIndex() {
        if (role != Role.LEADER || replication.transferTarget() != 0) {
            return -1;
        }
        return log.lastIndex() + 1;
    }

    /**
     * Appends the {@code count} commands placed from {@link #nextProposalIndex()} on (leader only):
     * produces {@link Effect.AppendProposals} for them and replicates them.
     *
     * @throws IllegalStateException if this node does not take proposals now (the caller must ask
     *                               {@link #nextProposalIndex()} first)
     */
    public void propose(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (nextProposalIndex() < 0) {
            throw new IllegalStateException("node " + selfId + " takes no proposals now (" + role + ")");
        }
        quiescence.wake(null);
        replication.appendProposals(count);
    }

    /**
     * The lowest index from which receiving {@code request} now may truncate this node's log, or -1
     * if it cannot. A query (no effect): the runtime uses it to make sure nobody still reads the
     * entries it would discard before it passes the request in. May name an index that is in the end
     * not truncated (the request could still be refused), never miss one that is.
     */
    public long conflictIndex(AppendEntriesRequest request) {
        return followerLog.conflictIndex(request);
    }

    /**
     * Hands leadership to voter {@code target} (leader only): proposals are refused meanwhile
     * ({@link #transferringTo()} is non-zero), the target is brought up to date and told to campaign
     * at once. The transfer ends when this node steps down, or is abandoned after an election timeout.
     *
     * @return false if this node is not the leader, a transfer is running, or {@code target} is not
     *         another voter
     */
    public boolean transferLeadership(long target) {
        if (role == Role.LEADER) {
            quiescence.wake(null);
        }
        if (role != Role.LEADER || !replication.transferTo(target)) {
            return false;
        }
        reads.endLease(); // the target campaigns past the followers' lease: ours ends now
        return true;
    }

    /** The voter leadership is being handed to, or 0. */
    public long transferringTo() {
        return role == Role.LEADER ? replication.transferTarget() : 0;
    }

    /**
     * Asks for a linearizable read: {@link Effect.ReadReady} follows once a read served at or after
     * {@code readIndex} is linearizable, or {@link Effect.ReadFailed} if it cannot
     * be served here now (see {@link LinearizableReads}).
     */
    public void readIndex(long requestId) {
        quiescence.wake(null); // a quiet leader holds no lease: the read confirms leadership afresh
        reads.requestLocal(requestId);
    }

    // ------------------------------------------------------------------ quiescence

    /**
     * Whether this node is quiet ({@link Quiescence}): its ticks do nothing until a proposal, read,
     * message or {@link #peerUnreachable(long)} wakes it. A host's scheduler may stop ticking it.
     */
    public boolean quiesced() {
        return quiescence.quiesced();
    }

    /**
     * Hands back the read tables that hold no read ({@code LinearizableReads}) and the append marks if none
     * waits for a flush ({@link IoProgress#releaseIdle()}); the next read or append allocates them again. The
     * runtime calls it while the node is quiet. Allocates nothing.
     *
     * @return true if anything was released
     */
    public boolean releaseIdleMemory() {
        boolean reads = this.reads.releaseIdle();
        return io.releaseIdle() | reads;
    }

    /** {@return whether the read tables are allocated now} For tests. */
    public boolean readTablesAllocated() {
        return reads.tablesAllocated();
    }

    /**
     * The host's liveness detector lost node {@code nodeId}'s process: nothing was heard from it for at
     * least one election timeout of this node's clock (the report must not come sooner, or leader
     * leases are not safe). A quiet follower whose leader it is wakes and campaigns within half an
     * election timeout (a random number of ticks); a quiet leader of which it is a member wakes
     * (heartbeats and check-quorum resume). Otherwise nothing happens: an active node notices by itself.
     */
    public void peerUnreachable(long nodeId) {
        quiescence.peerUnreachable(nodeId);
    }

    /**
     * Starts this node dormant ({@link Quiescence}, "Dormant start"): quiet, with no election timer, until a
     * peer's message, a local demand ({@link #demand()}, a read) or {@link #wake()}. The runtime calls it
     * once, before any other input, for a node configured to start dormant. Only a follower that knows no
     * leader, with quiescence on, starts dormant.
     *
     * @return true if the node is dormant now
     */
    public boolean startDormant() {
        return quiescence.startDormant();
    }

    /** {@return whether this node is still dormant: quiet since it started, following nobody} */
    public boolean dormant() {
        return quiescence.dormant();
    }

    /**
     * Something on this node needs the group (a proposal to forward to a leader, a caller waiting for a
     * leader): a dormant node campaigns within a random 1 .. half an election timeout, as a follower whose
     * leader was lost does. Nothing otherwise: an awake node elects or follows by itself, and a quiet one
     * with a leader is woken by the forwarded request reaching the leader.
     */
    public void demand() {
        if (quiescence.dormant()) {
            quiescence.wake(null);
        }
    }

    /**
     * Wakes a quiet node as an inbound message would: a leader heartbeats at once, a follower restarts
     * its election timer and tells its leader. Nothing if it is not quiet. For a runtime that lost
     * track of which peers were reported unreachable (always safe, never faster than a report).
     */
    public void wake() {
        quiescence.wakeUp(true);
    }

    /**
     * The runtime's core did not run for a while (CPU starvation, a GC pause) and counts only part of the
     * gap as ticks: a leader restarts its check-quorum window and heartbeats at once, as a quiet leader
     * that wakes, so that followers that answered all along are heard before it judges them. The runtime
     * calls it only without lease reads (a lease must count real time); nothing on other roles.
     */
    public void coreStalled() {
        if (role == Role.LEADER) {
            leaderWoke();
        }
    }

    /** A quiet leader woke: heartbeats at once, check-quorum counts afresh. */
    void leaderWoke() {
        electionElapsed = 0;
        reads.endLease(); // its clock stood still: whatever a round confirmed meanwhile is no lease
        replication.wokeUp();
    }

    /** A quiet follower woke: its leader gets a full election timeout to be heard again. */
    void followerWoke() {
        election.resetTimer();
    }

    /**
     * A quiet follower's leader is lost: its lease is over (it helps other candidates at once) and it
     * campaigns itself after a random 1 .. half an election timeout of ticks. The spread is small so
     * that a report plus the campaign fit two election timeouts; followers that start together do not
     * split the vote ({@link Quiescence#yieldsPreVote}).
     */
    void followerLostLeader() {
        int spread = Math.max(1, config.electionTimeoutTicks() / 2);
        election.expireLeaseAndCampaignAfter(1 + random.nextInt(spread));
    }

    /** An active follower's leader was reported lost: as {@link #followerLostLeader()}, unless its timer is sooner. */
    void activeFollowerLostLeader() {
        int spread = Math.max(1, config.electionTimeoutTicks() / 2);
        election.campaignWithin(1 + random.nextInt(spread));
    }

    /** A leader's probe is a heartbeat too: follow the sender, then acknowledge. */
    private void onLeadershipProbe(LeadershipProbe probe) {
        followLeader(probe);
        reads.onProbe(probe);
    }

    /** Campaigns now instead of waiting for the election timeout (used by tests and tools). */
    public void campaign() {
        if (role != Role.LEADER) {
            election.campaign();
        }
    }

    /**
     * Storage reports that every change up to {@code seq} is durable. Stale reports (not newer
     * than the last) are ignored.
     *
     * @throws IllegalStateException if {@code seq} was never handed to storage
     */
    public void onFlushed(long seq) {
        if (!io.flushed(seq)) {
            return;
        }
        election.onFlushed();
        switch (role) {
            case LEADER -> replication.onLocalFlush();
            case FOLLOWER -> followerLog.onFlushed();
            default -> { }
        }
        publishLimits();
    }

    // ------------------------------------------------------------------ snapshots and compaction

    /**
     * A snapshot covering everything up to {@code last} is durable in this node's snapshot store: a
     * leader sends it to followers that need compacted entries. Older reports are ignored.
     */
    public void snapshotTaken(LogId last) {
        noteSnapshot(last);
    }

    void noteSnapshot(LogId last) {
        if (last.index() > snapshot.index()) {
            snapshot = last;
        }
    }

    /** The newest durable snapshot this node knows of ({@link LogId#ZERO} if none). */
    public LogId latestSnapshot() {
        return snapshot;
    }

    /**
     * Forgets the log's terms up to {@code upToIndex} because the runtime is about to purge those
     * entries from storage. A follower that later needs one of them is sent the snapshot instead.
     *
     * @throws IllegalArgumentException if {@code upToIndex} is beyond the newest snapshot or the log:
     *                                  only entries covered by a durable snapshot may go
     */
    public void compactLog(long upToIndex) {
        if (upToIndex > snapshot.index() || upToIndex > log.lastIndex()) {
            throw new IllegalArgumentException("cannot compact the log to " + upToIndex + ": the newest snapshot is "
                    + snapshot + " and the log ends at " + log.lastIndex());
        }
        log.compactTo(upToIndex);
    }

    /**
     * The runtime holds snapshot {@code last} (with membership {@code config}) durably and has
     * restored the state machine from it, after receiving it from a leader: the log, commit index and
     * membership move onto it, and the leader is told (see {@link SnapshotFollower}).
     */
    public void installSnapshot(LogId last, ClusterConfig config) {
        snapshotFollower.installed(last, Objects.requireNonNull(config, "config"));
        publishLimits();
    }

    // ------------------------------------------------------------------ queries

    public Role role() {
        return role;
    }

    public long term() {
        return vote.term();
    }

    public Vote vote() {
        return vote;
    }

    /** {@return why the latest election round of this node started} For the runtime's log line. */
    public CampaignCause lastCampaign() {
        return election.lastCause();
    }

    /** The leader this node follows or is, or 0 if unknown. */
    public long leaderId() {
        return leaderId;
    }

    public long commitIndex() {
        return commitIndex;
    }

    public LogId lastLogId() {
        return log.last();
    }

    /** The term of the entry at {@code index}, or -1 if the log does not hold it. */
    public long termAt(long index) {
        return log.termAt(index);
    }

    /** The highest index durable locally and present in the current log. */
    public long durableIndex() {
        return io.durableIndex();
    }

    /** The {@code accepted} pointer: the latest state handed to storage. */
    public IoId accepted() {
        return new IoId(io.acceptedSeq(), vote, log.last());
    }

    /** The sequence storage last reported durable (the {@code flushed} pointer's sequence). */
    public long flushedSeq() {
        return io.flushedSeq();
    }

    public long droppedMessages() {
        return droppedMessages;
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * The highest index the log can be purged to without sending a follower a snapshot it would not
     * need otherwise, or restarting one under way: the followers' lowest match, or the index of the
     * snapshot being sent to one. {@code Long.MAX_VALUE} unless this node leads (or leads alone).
     */
    public long purgeFloor() {
        return role == Role.LEADER ? replication.purgeFloor() : Long.MAX_VALUE;
    }

    /**
     * The runtime cannot read {@code snapshot} to send it to {@code peerId} (it is gone from the store):
     * the transfer starts over with the newest snapshot. Ignored unless that transfer is under way.
     */
    public void snapshotUnavailable(long peerId, LogId snapshot) {
        if (role == Role.LEADER) {
            replication.snapshotUnavailable(peerId, snapshot);
        }
    }

    /** The match index of follower {@code peerId} if this node leads, otherwise -1. */
    public long matchIndexOf(long peerId) {
        return role == Role.LEADER ? replication.matchOf(peerId) : -1;
    }

    // ------------------------------------------------------------------ shared by the handlers

    /** The configuration in force (the newest in the log, committed or not). */
    public ClusterConfig clusterConfig() {
        return membership.current().config();
    }

    /** True while a configuration change is not yet committed. */
    public boolean membershipChangePending() {
        return membership.changePending();
    }

    /**
     * Starts changing the membership to {@code voters} and {@code learners} (leader only). A change
     * of voters goes through joint consensus: a joint configuration (old and new voters must both
     * agree) is appended, and once it commits the leader appends the new configuration on its own.
     * A change of learners only is a single entry. A leader that is not among the new voters steps
     * down once the new configuration commits.
     *
     * @return false (and nothing changes) unless this node leads, has committed an entry of its
     *         term, no other change is in progress, no leadership transfer runs, and the new
     *         configuration is valid and differs from the current one
     */
    public boolean changeMembership(long[] voters, long[] learners) {
        if (role == Role.LEADER) {
            quiescence.wake(null);
        }
        if (role != Role.LEADER || membership.changePending() || replication.transferTarget() != 0
                || log.termAt(commitIndex) != term()) {
            return false;
        }
        ClusterConfig current = clusterConfig();
        ClusterConfig next;
        try {
            next = current.sameVoters(voters) ? ClusterConfig.of(voters, learners)
                    : ClusterConfig.joint(current, voters, learners);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (next.equals(current)) {
            return false;
        }
        replication.appendConfig(next);
        return true;
    }

    /** A configuration entry at {@code index} entered the log (leader or follower). */
    void configAppended(long index, ClusterConfig next) {
        membership.appended(index, next);
        configChanged();
    }

    /** The configuration in force changed: every unit that depends on the voter set follows. */
    void configChanged() {
        quorum = clusterConfig().quorum();
        election.configChanged();
        reads.configChanged();
        if (role == Role.LEADER) {
            replication.configChanged();
        }
    }

    /**
     * A message from this term's leader (the term rules ran already): follow its sender and reset the
     * election timer. Receiving one while leading this term means two leaders: a broken cluster.
     */
    void followLeader(RaftMessage message) {
        if (role == Role.LEADER) {
            throw new IllegalStateException("node " + selfId + " leads term " + term() + " but received "
                    + message + ": two leaders in one term");
        }
        if (role != Role.FOLLOWER || leaderId != message.from()) {
            becomeFollower(message.term(), message.from());
        }
        electionElapsed = 0;
    }

    /** Records a new vote and hands it to storage. */
    void saveVote(Vote newVote) {
        if (newVote.term() < vote.term()
                || (newVote.term() == vote.term() && vote.hasVoted() && newVote.votedFor() != vote.votedFor())) {
            throw new IllegalStateException("vote may not go from " + vote + " to " + newVote);
        }
        if (newVote.equals(vote)) {
            return;
        }
        vote = newVote;
        emit(new Effect.SaveVote(io.voteSaved(), newVote));
    }

    /** Moves commitIndex forward (never back) and tells the output. */
    void advanceCommit(long index) {
        if (index > commitIndex) {
            commitIndex = index;
            publishLimits();
            membership.committedTo(index);
            reads.onCommitAdvanced();
            if (role == Role.LEADER) {
                replication.onConfigCommitted();
            }
        }
    }

    void becomeFollower(long term, long leader) {
        Role before = role;
        long termBefore = vote.term();
        long leaderBefore = leaderId;
        if (term > vote.term()) {
            saveVote(new Vote(term, Vote.NONE));
        }
        role = Role.FOLLOWER;
        leaderId = leader;
        replication = null;
        quiescence.reset();
        election.resetTimer();
        if (term != termBefore || leader != leaderBefore) {
            followerLog.leaderChanged();
        }
        if (before != role || term != termBefore || leader != leaderBefore) {
            emit(new Effect.StateChanged(role, vote.term(), leaderId));
            reads.onStateChange();
        }
    }

    void becomePreCandidate() {
        boolean changed = role != Role.PRE_CANDIDATE || leaderId != 0;
        role = Role.PRE_CANDIDATE;
        leaderId = 0;
        quiescence.reset();
        if (changed) {
            emit(new Effect.StateChanged(role, vote.term(), 0));
            reads.onStateChange();
        }
    }

    void becomeCandidate() {
        saveVote(new Vote(vote.term() + 1, selfId));
        role = Role.CANDIDATE;
        leaderId = 0;
        quiescence.reset();
        followerLog.leaderChanged();
        emit(new Effect.StateChanged(role, vote.term(), 0));
        reads.onStateChange();
    }

    void becomeLeader() {
        role = Role.LEADER;
        leaderId = selfId;
        electionElapsed = 0;
        quiescence.reset();
        replication = new Replication(this);
        reads.onBecomeLeader();
        emit(new Effect.StateChanged(role, vote.term(), selfId));
        reads.onStateChange();
        replication.start();
    }

    @Override
    public String toString() {
        return "RaftEngine[" + selfId + " " + role + (quiescence.quiesced() ? " quiet" : "") + " " + vote
                + " leader=" + leaderId + " last=" + log.last() + " commit=" + commitIndex + " " + io + "]";
    }
}
