package io.ringraft.internal.engine;

import io.ringraft.internal.engine.progress.Inflights;

/**
 * A leader's view of one follower's log (Raft's nextIndex/matchIndex plus flow control).
 *
 * <p>Two states, as in etcd raft:
 * <pre>
 *            rejection / stall                      success
 *   REPLICATE ─────────────────► PROBE ─────────────────────────► REPLICATE
 *   (pipelines up to the window,   (one AppendEntries at a time,   (next = match + 1)
 *    next advances optimistically)  resent each heartbeat)
 * </pre>
 * A third state, SNAPSHOT, holds a follower that needs an entry this leader compacted away: it is
 * streamed the leader's snapshot chunk by chunk (one chunk in flight), and goes back to PROBE once it
 * has installed it.
 * Invariant: {@code match < next}; {@code match} never decreases within a leader's term.
 * Owned by the leader's {@link Replication}; single-threaded.
 */
final class PeerProgress {

    enum State { PROBE, REPLICATE, SNAPSHOT }

    final long id;
    /** Highest index known durable on the follower and matching the leader's log. */
    long match;
    /** Next index to send. */
    long next;
    State state = State.PROBE;
    /** In PROBE: an AppendEntries is out and we wait for its answer or the next heartbeat. */
    boolean probeSent;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    /** The leader's tick ({@code RaftEngine.ticks}) at which it last heard from this follower (quiescence). */
    long lastHeardTick;
    /** The commit index last sent to this follower. */
    long sentCommit;
    /** Ticks since {@link #match} last advanced while messages were in flight (stall detection). */
    int stalledTicks;
    final Inflights inflights;
    /** In SNAPSHOT: the snapshot being sent. */
    io.ringraft.api.LogId pendingSnapshot;
    /** In SNAPSHOT: the offset of the chunk sent last. */
    long snapshotOffset;

    PeerProgress(long id, long lastIndex, int window) {
        this.id = id;
        this.next = lastIndex + 1;
        this.inflights = new Inflights(window);
    }

    /** Whether another AppendEntries carrying entries may be sent now. */
    boolean canSendEntries() {
        return switch (state) {
            case PROBE -> !probeSent;
            case REPLICATE -> !inflights.isFull();
            case SNAPSHOT -> false;
        };
    }

    /** An acknowledgement of {@code index}; returns true if {@link #match} rose. */
    boolean acknowledge(long index) {
        probeSent = false;
        if (index <= match) {
            return false;
        }
        match = index;
        next = Math.max(next, index + 1);
        inflights.freeTo(index);
        stalledTicks = 0;
        return true;
    }

    void becomeReplicate() {
        pendingSnapshot = null;
        state = State.REPLICATE;
        next = match + 1;
        inflights.clear();
        stalledTicks = 0;
    }

    /** Starts sending {@code snapshot} from its first byte. */
    void becomeSnapshot(io.ringraft.api.LogId snapshot) {
        state = State.SNAPSHOT;
        pendingSnapshot = snapshot;
        snapshotOffset = 0;
        probeSent = false;
        inflights.clear();
        stalledTicks = 0;
    }

    void becomeProbe(long nextIndex) {
        pendingSnapshot = null;
        state = State.PROBE;
        next = Math.max(nextIndex, match + 1);
        probeSent = false;
        inflights.clear();
        stalledTicks = 0;
    }

    @Override
    public String toString() {
        return "Peer[" + id + " " + state + (pendingSnapshot != null ? " " + pendingSnapshot + "@" + snapshotOffset : "")
                + " match=" + match + " next=" + next + " inflight="
                + inflights.count() + (probeSent ? " paused" : "") + "]";
    }
}
