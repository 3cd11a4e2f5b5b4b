package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.engine.quorum.Quorum;
import io.ringraft.internal.engine.quorum.VoteResult;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.TimeoutNow;

/**
 * The leader's side of log replication, alive for one term of leadership.
 *
 * <p>Per follower it keeps a {@link PeerProgress}: probing (one AppendEntries at a time until the
 * logs are known to match) or replicating (pipelined up to {@code maxInflightAppends} messages of up
 * to {@code maxEntriesPerAppend} entries). Rejections carry a hint that skips a whole term per round
 * trip. A follower whose in-flight messages get no acknowledgement for an election timeout (lost
 * messages, a dropped connection) is put back to probing, so replication never stays paused.
 *
 * <p>Commit: the quorum-th highest of (the leader's own durable index, every follower's match) is
 * committed only if that entry is of the current term (Raft Figure 8); earlier entries commit with it.
 *
 * <p>Snapshots: a follower that needs an entry the leader compacted away is sent the leader's newest
 * snapshot, one chunk at a time ({@link PeerProgress.State#SNAPSHOT}); the runtime reads the chunks,
 * the follower answers each with the offset it wants next, and once it has installed the snapshot
 * replication resumes after it.
 *
 * <p>Check-quorum: every election timeout the leader counts the followers it heard from since the
 * last count and steps down if they and it are not a quorum.
 */
final class Replication {

    private final RaftEngine engine;
    private PeerProgress[] peers;
    private final Quorum.IndexSource ackedIndex = this::ackedIndexOf;
    private final Quorum.VoteSource activeVote = this::activeVoteOf;
    private int heartbeatElapsed;
    /** The voter leadership is being handed to, or 0. */
    private long transferTarget;
    private int transferElapsed;

    Replication(RaftEngine engine) {
        this.engine = engine;
        this.peers = peersFor(engine.clusterConfig(), new PeerProgress[0]);
    }

    /** One progress per member other than this node, keeping the progress of members that stay. */
    private PeerProgress[] peersFor(ClusterConfig config, PeerProgress[] existing) {
        long[] members = config.membersView();
        int n = 0;
        for (long member : members) {
            if (member != engine.selfId) {
                n++;
            }
        }
        PeerProgress[] next = new PeerProgress[n];
        int i = 0;
        for (long member : members) {
            if (member == engine.selfId) {
                continue;
            }
            PeerProgress kept = null;
            for (PeerProgress peer : existing) {
                if (peer.id == member) {
                    kept = peer;
                }
            }
            if (kept == null) {
                kept = new PeerProgress(member, engine.log.lastIndex(), engine.config.maxInflightAppends());
                kept.lastHeardTick = engine.ticks;
            }
            next[i++] = kept;
        }
        return next;
    }

    // ------------------------------------------------------------------ membership

    /** Appends a configuration entry; it is in force at once (Raft's rule for configurations). */
    void appendConfig(ClusterConfig next) {
        engine.quiescence.activity();
        long index = engine.log.lastIndex() + 1;
        long term = engine.term();
        engine.log.append(term, 1);
        engine.emit(new Effect.AppendConfig(engine.io.appended(index), new LogId(term, index), next.encode()));
        engine.configAppended(index, next);
        for (PeerProgress peer : peers) {
            sendAllAllowed(peer);
        }
        maybeCommit();
    }

    /** The configuration in force changed: follow its members (new ones start probing). */
    void configChanged() {
        peers = peersFor(engine.clusterConfig(), peers);
    }

    /**
     * The commit index rose. A committed joint configuration is followed by the new one; a leader
     * that is not a voter of a committed configuration steps down.
     */
    void onConfigCommitted() {
        if (engine.membership.changePending()) {
            return;
        }
        ClusterConfig committed = engine.clusterConfig();
        if (committed.isJoint()) {
            appendConfig(committed.leaveJoint());
        } else if (!committed.isVoter(engine.selfId)) {
            engine.becomeFollower(engine.term(), 0);
        }
    }

    /** Starts the term: append the no-op entry and probe every follower. */
    void start() {
        long index = engine.log.lastIndex() + 1;
        long term = engine.term();
        engine.log.append(term, 1);
        engine.emit(new Effect.AppendNoop(engine.io.appended(index), new LogId(term, index)));
        for (PeerProgress peer : peers) {
            sendEntries(peer);
        }
        maybeCommit();
    }

    void appendProposals(int count) {
        engine.quiescence.activity();
        long first = engine.log.lastIndex() + 1;
        long term = engine.term();
        engine.log.append(term, count);
        engine.emit(new Effect.AppendProposals(engine.io.appended(engine.log.lastIndex()), first, term, count));
        for (PeerProgress peer : peers) {
            sendAllAllowed(peer);
        }
        maybeCommit();
    }

    /** The leader's own flush made more entries durable. */
    void onLocalFlush() {
        maybeCommit();
    }

    /**
     * Whether {@code response} tells this leader nothing new: a success of its term from a follower
     * whose match it already knows (an answer to a heartbeat sent before it went quiet).
     */
    boolean isNoNews(AppendEntriesResponse response) {
        PeerProgress peer = peer(response.from());
        return peer != null && response.success() && response.term() == engine.term()
                && response.matchIndex() <= peer.match;
    }

    long matchOf(long peerId) {
        if (peerId == engine.selfId) {
            return engine.io.durableIndex();
        }
        PeerProgress peer = peer(peerId);
        return peer == null ? -1 : peer.match;
    }

    /**
     * The highest index up to which the log may be purged without hurting a follower: the lowest of
     * the followers' match indexes, and for a follower being sent a snapshot, that snapshot's index
     * (it continues from the log after it). {@code Long.MAX_VALUE} without followers.
     */
    long purgeFloor() {
        long floor = Long.MAX_VALUE;
        for (PeerProgress peer : peers) {
            floor = Math.min(floor, peer.state == PeerProgress.State.SNAPSHOT ? peer.pendingSnapshot.index() : peer.match);
        }
        return floor;
    }

    /**
     * The runtime cannot read {@code snapshot} for {@code peerId} any more (the store deleted it and the
     * sender had it no longer open): start that follower over with the newest snapshot.
     */
    void snapshotUnavailable(long peerId, LogId snapshot) {
        PeerProgress peer = peer(peerId);
        if (peer == null || peer.state != PeerProgress.State.SNAPSHOT || !snapshot.equals(peer.pendingSnapshot)
                || snapshot.equals(engine.snapshot)) {
            return;
        }
        peer.becomeSnapshot(engine.snapshot);
        engine.emit(new Effect.SendSnapshot(peer.id, peer.pendingSnapshot, 0));
    }

    // ------------------------------------------------------------------ leadership transfer

    /**
     * Starts handing leadership to {@code target}: no new proposals are taken, the target is brought
     * up to date, then told to campaign at once. Gives up after an election timeout.
     *
     * @return false if a transfer is already running or {@code target} is not another voter
     */
    boolean transferTo(long target) {
        PeerProgress peer = peer(target);
        if (transferTarget != 0 || peer == null) {
            return false;
        }
        transferTarget = target;
        transferElapsed = 0;
        maybeSendTimeoutNow(peer);
        if (peer.match < engine.log.lastIndex()) {
            sendAllAllowed(peer);
        }
        return true;
    }

    long transferTarget() {
        return transferTarget;
    }

    private void maybeSendTimeoutNow(PeerProgress peer) {
        if (peer.id == transferTarget && peer.match == engine.log.lastIndex()) {
            engine.send(new TimeoutNow(engine.selfId, peer.id, engine.term()));
        }
    }

    // ------------------------------------------------------------------ time

    /**
     * {@return the number of ticks until the first that acts: heartbeats (and the read rounds they
     * carry), check-quorum, a lapsed transfer, a stalled follower's probe or snapshot resend}
     */
    int ticksUntilDue() {
        EngineConfig config = engine.config;
        int timeout = config.electionTimeoutTicks();
        int due = Math.min(config.heartbeatIntervalTicks() - heartbeatElapsed, timeout - engine.electionElapsed);
        if (transferTarget != 0) {
            due = Math.min(due, timeout - transferElapsed);
        }
        for (PeerProgress peer : peers) {
            if ((peer.state == PeerProgress.State.REPLICATE && peer.inflights.count() > 0)
                    || peer.state == PeerProgress.State.SNAPSHOT) {
                due = Math.min(due, timeout - peer.stalledTicks);
            }
        }
        return Math.max(1, due);
    }

    void tick() {
        boolean idle = engine.config.quiesceAfterTicks() > 0 && idle();
        engine.electionElapsed++;
        heartbeatElapsed++;
        EngineConfig config = engine.config;
        if (engine.electionElapsed >= config.electionTimeoutTicks()) {
            engine.electionElapsed = 0;
            if (config.checkQuorum()) {
                boolean quorumActive = engine.quorum.voteResult(activeVote) == VoteResult.WON;
                for (PeerProgress peer : peers) {
                    peer.recentActive = false;
                }
                if (!quorumActive) {
                    engine.becomeFollower(engine.term(), 0);
                    return;
                }
            }
        }
        if (transferTarget != 0 && ++transferElapsed >= config.electionTimeoutTicks()) {
            transferTarget = 0; // the target did not take over in time: lead on, take proposals again
        }
        if (engine.quiescence.leaderTicked(idle)) {
            return; // the Quiesce messages are the last this leader sends until it wakes
        }
        for (PeerProgress peer : peers) {
            if (peer.state == PeerProgress.State.REPLICATE && peer.inflights.count() > 0
                    && ++peer.stalledTicks >= config.electionTimeoutTicks()) {
                peer.becomeProbe(peer.match + 1); // acknowledgements stopped: find out where it is
            } else if (peer.state == PeerProgress.State.SNAPSHOT
                    && ++peer.stalledTicks >= config.electionTimeoutTicks()) {
                resendSnapshot(peer);
            }
        }
        if (heartbeatElapsed >= config.heartbeatIntervalTicks()) {
            heartbeatElapsed = 0;
            for (PeerProgress peer : peers) {
                heartbeat(peer);
            }
            engine.reads.tick(true);
        }
    }

    /**
     * Whether the group is idle enough to quiesce ({@link Quiescence}): the leader's log is durable and
     * committed to its end, every member replicates with its match at that end and nothing in flight,
     * and was heard from within the last election timeout; no read, transfer or membership change is
     * pending.
     */
    boolean idle() {
        long last = engine.log.lastIndex();
        if (engine.commitIndex != last || engine.io.durableIndex() < last || transferTarget != 0
                || engine.membership.changePending() || !engine.reads.idle()) {
            return false;
        }
        // Heard from within half an election timeout (and at least a heartbeat interval): every live
        // follower answers several heartbeats during the idle period, a silent one is left out soon.
        int window = Math.max(engine.config.heartbeatIntervalTicks() + 1, engine.config.electionTimeoutTicks() / 2);
        for (PeerProgress peer : peers) {
            if (peer.state != PeerProgress.State.REPLICATE || peer.match != last || peer.inflights.count() != 0
                    || engine.ticks - peer.lastHeardTick > window) {
                return false;
            }
        }
        return true;
    }

    /**
     * A quiet leader woke: heartbeat every member now (which wakes them) and give them a full election
     * timeout to answer before check-quorum counts.
     */
    void wokeUp() {
        heartbeatElapsed = 0;
        for (PeerProgress peer : peers) {
            peer.recentActive = false;
            peer.stalledTicks = 0;
            heartbeat(peer);
        }
    }

    private void heartbeat(PeerProgress peer) {
        switch (peer.state) {
            case PROBE -> {
                peer.probeSent = false; // the probe (or its answer) may be lost: send it again
                sendEntries(peer);
            }
            case REPLICATE -> sendCommitOnly(peer);
            // Chunks may be far apart (a slow disk on either side): keep the follower from campaigning.
            case SNAPSHOT -> engine.send(new LeadershipProbe(engine.selfId, peer.id, engine.term(), 0));
        }
    }

    // ------------------------------------------------------------------ snapshots

    /** The follower needs an entry this leader compacted away: stream it the newest snapshot. */
    private void startSnapshot(PeerProgress peer) {
        LogId snapshot = engine.snapshot;
        if (snapshot.index() < engine.log.base().index()) {
            throw new IllegalStateException("node " + engine.selfId + " compacted its log to " + engine.log.base()
                    + " beyond its newest snapshot " + snapshot + "; follower " + peer.id + " cannot catch up");
        }
        peer.becomeSnapshot(snapshot);
        engine.emit(new Effect.SendSnapshot(peer.id, snapshot, 0));
    }

    /**
     * No answer for an election timeout: send the chunk again (the follower answers with the offset
     * it wants). A transfer under way keeps its snapshot even if a newer one was taken meanwhile
     * (starting over could never finish under sustained writes); one that has not started (nothing
     * acknowledged yet) takes the newest. The runtime says if the snapshot cannot be read any more
     * ({@link #snapshotUnavailable}).
     */
    private void resendSnapshot(PeerProgress peer) {
        peer.stalledTicks = 0;
        if (peer.snapshotOffset == 0 && !engine.snapshot.equals(peer.pendingSnapshot)) {
            peer.becomeSnapshot(engine.snapshot);
        }
        engine.emit(new Effect.SendSnapshot(peer.id, peer.pendingSnapshot, peer.snapshotOffset));
    }

    void onInstallSnapshotResponse(InstallSnapshotResponse response) {
        PeerProgress peer = peer(response.from());
        if (peer == null) {
            return;
        }
        peer.recentActive = true;
        peer.lastHeardTick = engine.ticks;
        if (response.done()) {
            // The follower holds everything up to matchIndex durably: true whenever it was said.
            boolean advanced = peer.acknowledge(response.matchIndex());
            if (peer.state == PeerProgress.State.SNAPSHOT
                    && response.matchIndex() >= peer.pendingSnapshot.index()) {
                peer.becomeProbe(peer.match + 1);
                sendEntries(peer);
            }
            if (advanced) {
                maybeCommit();
                maybeSendTimeoutNow(peer);
            }
            return;
        }
        // An answer naming the chunk just sent is a duplicate or the chunk is on its way: wait.
        if (peer.state != PeerProgress.State.SNAPSHOT || !response.snapshot().equals(peer.pendingSnapshot)
                || response.nextOffset() == peer.snapshotOffset) {
            return;
        }
        peer.snapshotOffset = response.nextOffset();
        peer.stalledTicks = 0;
        engine.emit(new Effect.SendSnapshot(peer.id, peer.pendingSnapshot, peer.snapshotOffset));
    }

    // ------------------------------------------------------------------ responses

    /** The follower answered something of this term: it counts as alive for check-quorum. */
    void markActive(long peerId) {
        PeerProgress peer = peer(peerId);
        if (peer != null) {
            peer.recentActive = true;
            peer.lastHeardTick = engine.ticks;
        }
    }

    void onAppendEntriesResponse(AppendEntriesResponse response) {
        PeerProgress peer = peer(response.from());
        if (peer == null) {
            return;
        }
        peer.recentActive = true;
        peer.lastHeardTick = engine.ticks;
        if (response.success()) {
            boolean advanced = peer.acknowledge(response.matchIndex());
            if (peer.state == PeerProgress.State.PROBE || peer.state == PeerProgress.State.SNAPSHOT
                    && peer.match >= peer.pendingSnapshot.index()) {
                // (A late acknowledgement may show a follower sent to SNAPSHOT already holds it all.)
                peer.becomeReplicate();
            }
            if (advanced) {
                maybeCommit();
                maybeSendTimeoutNow(peer);
            }
            sendAllAllowed(peer);
            return;
        }
        long rejected = response.rejectedPrevIndex();
        boolean stale = peer.state == PeerProgress.State.REPLICATE
                ? rejected <= peer.match
                : rejected != peer.next - 1;
        if (stale) {
            return;
        }
        LogId hint = response.hint();
        long probeFrom = engine.log.lastIndexWithTermAtMost(hint.index(), hint.term()) + 1;
        peer.becomeProbe(Math.min(rejected, probeFrom));
        sendEntries(peer);
    }

    // ------------------------------------------------------------------ sending

    private void sendAllAllowed(PeerProgress peer) {
        while (sendEntries(peer)) {
            if (peer.state == PeerProgress.State.PROBE) {
                return;
            }
        }
        // A follower with appends in flight learns the commit index from the next append (or its
        // heartbeat); a separate notice per acknowledgement would double the messages under load.
        if (peer.sentCommit < engine.commitIndex && peer.inflights.count() == 0
                && peer.state != PeerProgress.State.SNAPSHOT) {
            sendCommitOnly(peer);
        }
    }

    /**
     * Sends the next AppendEntries with entries if the peer's flow control allows (in PROBE also an
     * empty one: the probe). Returns true if a message went out.
     */
    private boolean sendEntries(PeerProgress peer) {
        if (!peer.canSendEntries()) {
            return false;
        }
        long lastIndex = engine.log.lastIndex();
        if (peer.state == PeerProgress.State.REPLICATE && peer.next > lastIndex) {
            return false;
        }
        long prevIndex = peer.next - 1;
        long prevTerm = engine.log.termAt(prevIndex);
        if (prevTerm < 0) {
            startSnapshot(peer); // compacted away: entries cannot bring this follower up to date
            return false;
        }
        int wanted = (int) Math.min(engine.config.maxEntriesPerAppend(), lastIndex - prevIndex);
        int count = wanted > 0 ? engine.room.sendable(peer.next, wanted) : 0;
        if (count > wanted || (wanted > 0 && count < 1)) {
            throw new IllegalStateException("log room offers " + count + " entries to send for a request of "
                    + peer.next + "+" + wanted);
        }
        LogEntries entries = count > 0 ? new EntryRange(peer.next, count) : LogEntries.empty(peer.next);
        send(peer, new LogId(prevTerm, prevIndex), entries);
        if (peer.state == PeerProgress.State.PROBE) {
            peer.probeSent = true;
        } else {
            peer.next += count;
            peer.inflights.add(prevIndex + count);
        }
        return true;
    }

    /** An empty AppendEntries anchored at the peer's match: a heartbeat that also carries the commit. */
    private void sendCommitOnly(PeerProgress peer) {
        if (peer.state == PeerProgress.State.SNAPSHOT) {
            return;
        }
        long prevIndex = peer.match;
        long prevTerm = engine.log.termAt(prevIndex);
        if (prevTerm < 0) {
            startSnapshot(peer); // the follower's match was compacted away (it fell behind)
            return;
        }
        send(peer, new LogId(prevTerm, prevIndex), LogEntries.empty(prevIndex + 1));
    }

    private void send(PeerProgress peer, LogId prev, LogEntries entries) {
        long commit = engine.commitIndex;
        peer.sentCommit = commit;
        engine.send(new AppendEntriesRequest(engine.selfId, peer.id, engine.term(), prev, entries,
                commit));
    }

    // ------------------------------------------------------------------ commit

    private void maybeCommit() {
        long candidate = engine.quorum.committedIndex(ackedIndex);
        if (candidate > engine.commitIndex && engine.log.termAt(candidate) == engine.term()) {
            engine.advanceCommit(candidate);
            if (engine.role != io.ringraft.api.Role.LEADER) {
                return; // a leader removed by the configuration that just committed stepped down
            }
            // Tell idle followers at once; busy ones learn it with their next append or answer.
            for (PeerProgress peer : peers) {
                if (peer.state == PeerProgress.State.REPLICATE && peer.inflights.count() == 0
                        && peer.sentCommit < candidate && !sendEntries(peer)) {
                    sendCommitOnly(peer);
                }
            }
        }
    }

    private long ackedIndexOf(long voterId) {
        return matchOf(voterId);
    }

    private int activeVoteOf(long voterId) {
        if (voterId == engine.selfId) {
            return Quorum.VoteSource.GRANTED;
        }
        PeerProgress peer = peer(voterId);
        return peer != null && peer.recentActive ? Quorum.VoteSource.GRANTED : Quorum.VoteSource.REJECTED;
    }

    private PeerProgress peer(long id) {
        for (PeerProgress peer : peers) {
            if (peer.id == id) {
                return peer;
            }
        }
        return null;
    }
}
