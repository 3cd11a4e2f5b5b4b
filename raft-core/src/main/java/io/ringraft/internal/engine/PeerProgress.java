package io.ringraft.internal.engine;

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
 * Invariant: {@code match < next}; {@code match} never decreases within a leader's term.
 * Owned by the leader's {@link Replication}; single-threaded.
 */
final class PeerProgress {

    enum State { PROBE, REPLICATE }

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
    /** The commit index last sent to this follower. */
    long sentCommit;
    /** Ticks since {@link #match} last advanced while messages were in flight (stall detection). */
    int stalledTicks;
    final Inflights inflights;

    PeerProgress(long id, long lastIndex, int window) {
        this.id = id;
        this.next = lastIndex + 1;
        this.inflights = new Inflights(window);
    }

    /** Whether another AppendEntries carrying entries may be sent now. */
    boolean canSendEntries() {
        return state == State.PROBE ? !probeSent : !inflights.isFull();
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
        state = State.REPLICATE;
        next = match + 1;
        inflights.clear();
        stalledTicks = 0;
    }

    void becomeProbe(long nextIndex) {
        state = State.PROBE;
        next = Math.max(nextIndex, match + 1);
        probeSent = false;
        inflights.clear();
        stalledTicks = 0;
    }

    @Override
    public String toString() {
        return "Peer[" + id + " " + state + " match=" + match + " next=" + next + " inflight="
                + inflights.count() + (probeSent ? " paused" : "") + "]";
    }
}
