package io.ringraft.internal.engine;

import io.ringraft.internal.engine.quorum.Quorum;
import io.ringraft.api.Role;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;

/**
 * ReadIndex (Raft thesis 6.4): linearizable reads without writing to the log.
 *
 * <p><b>Leader.</b> A read gets the current commit index as its read index, but only once the
 * leader has committed an entry of its own term (before that, its commit index may be behind what
 * an earlier leader committed, so reads wait). Then the leader confirms it is still leader: it
 * starts a confirmation round, sends a {@link LeadershipProbe} for it to every voter, and when a
 * quorum (itself included) has acknowledged that round or a later one, every read that joined the
 * round or an earlier one is ready. Reads arriving while a round is out join the next round, which
 * starts when the current one completes: concurrent reads share rounds (batching), and every read's
 * confirmation was sent after the read arrived. A lost probe is sent again each heartbeat.
 *
 * <p><b>Follower.</b> A read is forwarded to the known leader as a {@link ReadIndexRequest}; the
 * answer's read index makes it ready. Forwarded reads fail when the leader changes, or when no
 * answer comes within an election timeout.
 *
 * <p><b>Leader lease</b> ({@code leaseTicks > 0}, needs check-quorum): once a quorum confirmed a
 * round, the leader answers reads at once, without a round, until {@code leaseTicks} of its ticks
 * after it <em>sent</em> that round. Every voter that confirmed it heard from the leader after
 * that moment, and with check-quorum refuses to vote for anyone else for an election timeout of its
 * own ticks; a quorum of them cannot elect another leader before then. {@code leaseTicks} is shorter
 * than the election timeout by the clock drift the operator bounds. The leader keeps renewing the
 * lease with a round every heartbeat, and drops it when it hands leadership over.
 *
 * <p>Both sides keep reads in fixed-size FIFO arrays ({@code maxPendingReads}); a read that does
 * not fit fails at once. A failed read had no effect and may be retried. Owned by the engine.
 *
 * <p>Each side's arrays are allocated by its first read and handed back by {@link #releaseIdle()} while
 * that side holds none (a quiet group's core calls it through {@link RaftEngine#releaseIdleMemory()}), so a
 * group that serves no reads holds none of them.
 */
final class LinearizableReads {

    private final RaftEngine engine;
    private final int capacity;

    // Leader side: reads in arrival order (null while none is allocated: see the class comment).
    private long[] ids;
    private long[] requesters;
    private long[] readIndexes;
    private long[] rounds;
    private int head;
    private int count;
    private long round;
    private long confirmedRound;
    /** Tick at which the newest round was sent, and the end of the lease a confirmed round gives. */
    private long roundSentTick;
    private long leaseUntilTick;
    private long[] voterIds;
    private long[] ackedRounds;
    private final Quorum.IndexSource ackedRound = this::ackedRoundOf;

    // Follower side: reads forwarded to the leader, oldest first (null while none is allocated).
    private long[] forwardedIds;
    private int[] forwardedAge;
    private int forwardedHead;
    private int forwardedCount;
    private long forwardedTo;

    LinearizableReads(RaftEngine engine) {
        this.engine = engine;
        this.capacity = engine.config.maxPendingReads();
        this.voterIds = engine.clusterConfig().membersView();
        this.ackedRounds = new long[voterIds.length];
    }

    /**
     * Hands back the arrays of each side that holds no read (the core of a quiet group); the next read
     * allocates them again.
     *
     * @return true if any was released
     */
    boolean releaseIdle() {
        boolean released = false;
        if (ids != null && count == 0) {
            ids = requesters = readIndexes = rounds = null;
            head = 0;
            released = true;
        }
        if (forwardedIds != null && forwardedCount == 0) {
            forwardedIds = null;
            forwardedAge = null;
            forwardedHead = 0;
            released = true;
        }
        return released;
    }

    /** {@return whether either side's arrays are allocated now} For tests. */
    boolean tablesAllocated() {
        return ids != null || forwardedIds != null;
    }

    // ------------------------------------------------------------------ requests

    /** A read submitted on this node. */
    void requestLocal(long requestId) {
        if (engine.role == Role.LEADER) {
            enqueue(requestId, 0);
        } else if (engine.leaderId != 0 && forwardedCount < capacity) {
            if (forwardedTo != engine.leaderId) {
                failForwarded();
                forwardedTo = engine.leaderId;
            }
            if (forwardedIds == null) {
                forwardedIds = new long[capacity];
                forwardedAge = new int[capacity];
            }
            int slot = (forwardedHead + forwardedCount++) % capacity;
            forwardedIds[slot] = requestId;
            forwardedAge[slot] = 0;
            engine.send(new ReadIndexRequest(engine.selfId, engine.leaderId, engine.term(), requestId));
        } else if (engine.leaderId != 0) {
            engine.emit(new Effect.ReadFailed(requestId, engine.leaderId, true)); // too many forwarded reads
        } else {
            engine.emit(new Effect.ReadFailed(requestId, 0, false));
        }
    }

    /** A follower's read arrived (same term). */
    void onRequest(ReadIndexRequest request) {
        if (engine.role == Role.LEADER) {
            enqueue(request.requestId(), request.from());
        } else {
            engine.send(new ReadIndexResponse(engine.selfId, request.from(), engine.term(),
                    request.requestId(), false, 0));
        }
    }

    private void enqueue(long requestId, long requester) {
        if (count == capacity) {
            if (requester == 0) {
                engine.emit(new Effect.ReadFailed(requestId, 0, true));
            }
            // A follower's read is left unanswered: it times out there as "busy", which is the truth,
            // whereas a negative answer would read as "not the leader".
            return;
        }
        if (ids == null) {
            ids = new long[capacity];
            requesters = new long[capacity];
            readIndexes = new long[capacity];
            rounds = new long[capacity];
        }
        int slot = (head + count++) % capacity;
        ids[slot] = requestId;
        requesters[slot] = requester;
        readIndexes[slot] = -1;
        rounds[slot] = Long.MAX_VALUE;
        if (committedInTerm()) {
            admit(slot);
            if (leaseHeld()) {
                rounds[slot] = confirmedRound; // the lease vouches for the leadership now
            } else {
                startRoundIfIdle();
            }
            releaseConfirmed();
        }
    }

    /** True while a leader lease lets reads skip the confirmation round. */
    private boolean leaseHeld() {
        return engine.config.leaseTicks() > 0 && engine.ticks < leaseUntilTick
                && engine.transferringTo() == 0;
    }

    /** The lease may no longer be relied on (leadership is being handed over). */
    void endLease() {
        leaseUntilTick = 0;
    }

    private boolean committedInTerm() {
        return engine.log.termAt(engine.commitIndex) == engine.term();
    }

    /** Fixes a waiting read's index and puts it in the next round. */
    private void admit(int slot) {
        readIndexes[slot] = engine.commitIndex;
        rounds[slot] = round + 1;
    }

    // ------------------------------------------------------------------ leader: rounds

    /** The leader committed more: reads waiting for its first commit in the term may go. */
    void onCommitAdvanced() {
        if (engine.role != Role.LEADER || !committedInTerm()) {
            return;
        }
        boolean admitted = false;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) % capacity;
            if (readIndexes[slot] < 0) {
                admit(slot);
                admitted = true;
            }
        }
        if (admitted) {
            startRoundIfIdle();
            releaseConfirmed();
        }
    }

    private void startRoundIfIdle() {
        if (round > confirmedRound || count == 0) {
            return; // a round is out; reads that arrive now join the next one
        }
        startRound();
    }

    private void startRound() {
        round++;
        roundSentTick = engine.ticks;
        for (int i = 0; i < voterIds.length; i++) {
            if (voterIds[i] == engine.selfId) {
                ackedRounds[i] = round;
            }
        }
        broadcastProbe();
    }

    private void broadcastProbe() {
        for (long voter : voterIds) {
            if (voter != engine.selfId && engine.quorum.isVoter(voter)) {
                engine.send(new LeadershipProbe(engine.selfId, voter, engine.term(), round));
            }
        }
    }

    void onAck(LeadershipProbeAck ack) {
        for (int i = 0; i < voterIds.length; i++) {
            if (voterIds[i] == ack.from()) {
                ackedRounds[i] = Math.max(ackedRounds[i], Math.min(ack.round(), round));
            }
        }
        releaseConfirmed();
        startRoundIfIdle();
    }

    private void releaseConfirmed() {
        long confirmed = engine.quorum.committedIndex(ackedRound);
        if (confirmed > confirmedRound) {
            confirmedRound = confirmed;
            if (confirmed == round && engine.config.leaseTicks() > 0 && engine.transferringTo() == 0) {
                leaseUntilTick = roundSentTick + engine.config.leaseTicks();
            }
        }
        while (count > 0 && rounds[head] <= confirmedRound) {
            long requester = requesters[head];
            if (requester == 0) {
                engine.emit(new Effect.ReadReady(ids[head], readIndexes[head]));
            } else {
                engine.send(new ReadIndexResponse(engine.selfId, requester, engine.term(), ids[head], true,
                        readIndexes[head]));
            }
            head = (head + 1) % capacity;
            count--;
        }
        if (count > 0 && round <= confirmedRound) {
            startRoundIfIdle();
        }
    }

    private long ackedRoundOf(long voterId) {
        for (int i = 0; i < voterIds.length; i++) {
            if (voterIds[i] == voterId) {
                return ackedRounds[i];
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ follower side

    /** A follower acknowledges the leader's probe (the term rules made it follow the sender). */
    void onProbe(LeadershipProbe probe) {
        engine.send(new LeadershipProbeAck(engine.selfId, probe.from(), engine.term(), probe.round()));
    }

    void onResponse(ReadIndexResponse response) {
        for (int i = 0; i < forwardedCount; i++) {
            int slot = (forwardedHead + i) % capacity;
            if (forwardedIds[slot] == response.requestId()) {
                if (response.success()) {
                    engine.emit(new Effect.ReadReady(response.requestId(), response.readIndex()));
                } else {
                    engine.emit(new Effect.ReadFailed(response.requestId(), engine.leaderId, false));
                }
                removeForwarded(i);
                return;
            }
        }
    }

    private void removeForwarded(int position) {
        for (int i = position; i > 0; i--) {
            int to = (forwardedHead + i) % capacity;
            int from = (forwardedHead + i - 1) % capacity;
            forwardedIds[to] = forwardedIds[from];
            forwardedAge[to] = forwardedAge[from];
        }
        forwardedHead = (forwardedHead + 1) % capacity;
        forwardedCount--;
    }

    // ------------------------------------------------------------------ time and roles

    /**
     * {@return the number of non-leader ticks until a forwarded read times out (MAX_VALUE: none waits)}
     * The oldest forwarded read is at the head.
     */
    int ticksUntilDue() {
        if (forwardedCount == 0) {
            return Integer.MAX_VALUE;
        }
        return Math.max(1, engine.config.electionTimeoutTicks() - forwardedAge[forwardedHead]);
    }

    void tick(boolean heartbeat) {
        if (engine.role == Role.LEADER) {
            if (heartbeat && round > confirmedRound) {
                broadcastProbe(); // the probe or its answers may be lost
            } else if (heartbeat && engine.config.leaseTicks() > 0 && engine.transferringTo() == 0) {
                startRound(); // renew the lease
                releaseConfirmed();
            }
            return;
        }
        int timeout = engine.config.electionTimeoutTicks();
        for (int i = 0; i < forwardedCount; i++) {
            forwardedAge[(forwardedHead + i) % capacity]++;
        }
        while (forwardedCount > 0 && forwardedAge[forwardedHead] >= timeout) {
            engine.emit(new Effect.ReadFailed(forwardedIds[forwardedHead], engine.leaderId, true));
            forwardedHead = (forwardedHead + 1) % capacity;
            forwardedCount--;
        }
    }

    /** Called after every role, term or leader change. */
    void onStateChange() {
        if (engine.role != Role.LEADER) {
            while (count > 0) {
                fail(ids[head], requesters[head]);
                head = (head + 1) % capacity;
                count--;
            }
        }
        if (engine.leaderId != forwardedTo) {
            failForwarded();
            forwardedTo = engine.leaderId;
        }
    }

    /** The voter set changed: keep what the remaining members acknowledged. */
    void configChanged() {
        long[] ids = engine.clusterConfig().membersView();
        long[] acked = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            acked[i] = ackedRoundOf(ids[i]);
        }
        voterIds = ids;
        ackedRounds = acked;
        if (engine.role == Role.LEADER) {
            releaseConfirmed();
        }
    }

    /** A new leadership term starts with no rounds. */
    void onBecomeLeader() {
        round = 0;
        confirmedRound = 0;
        leaseUntilTick = 0;
        java.util.Arrays.fill(ackedRounds, 0);
    }

    private void failForwarded() {
        while (forwardedCount > 0) {
            engine.emit(new Effect.ReadFailed(forwardedIds[forwardedHead], engine.leaderId, false));
            forwardedHead = (forwardedHead + 1) % capacity;
            forwardedCount--;
        }
    }

    private void fail(long requestId, long requester) {
        if (requester == 0) {
            engine.emit(new Effect.ReadFailed(requestId, engine.leaderId == engine.selfId ? 0 : engine.leaderId, false));
        } else {
            engine.send(new ReadIndexResponse(engine.selfId, requester, engine.term(), requestId, false, 0));
        }
    }

    /** Leader: no read waits and no confirmation round is out (quiescence may begin). */
    boolean idle() {
        return count == 0 && round <= confirmedRound;
    }

    int pendingAsLeader() {
        return count;
    }

    int pendingForwarded() {
        return forwardedCount;
    }
}
