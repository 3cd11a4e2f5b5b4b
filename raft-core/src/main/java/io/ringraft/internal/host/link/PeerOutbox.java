package io.ringraft.internal.host.link;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import java.util.Arrays;
import org.agrona.collections.Long2LongHashMap;

/**
 * What waits for the next flush to one peer process: at most one heartbeat and one heartbeat answer
 * per group, in primitive columns (no object per pending message).
 *
 * <p><b>Bounded.</b> At most {@code capacity} groups' heartbeats and as many groups' answers; the
 * columns start small and double as used, up to that bound (about 100 bytes per slot with the
 * index). A group's newer heartbeat replaces its pending one in place, and so does a newer answer unless
 * the pending one is a success of the same term that tells more (a higher match, or a success against a
 * rejection: see {@link HostLink}); an offer for a new group when full is refused, and the caller sends
 * the message directly.
 *
 * <p><b>Threads.</b> Offers come from the groups' sending threads, takes from the host's flushing
 * threads, all under this object's lock (short: copying a few longs; a take copies at most one batch).
 * {@link #pending()} is a lock-free hint for skipping idle peers.
 */
final class PeerOutbox {

    private static final long MISSING = -1;
    private static final int INITIAL = 16;

    private final long selfId;
    private final long peerId;
    private final int capacity;

    // heartbeats, guarded by this
    private long[] hbGroups = new long[INITIAL];
    private long[] hbTerms = new long[INITIAL];
    private long[] hbPrevTerms = new long[INITIAL];
    private long[] hbPrevIndexes = new long[INITIAL];
    private long[] hbCommits = new long[INITIAL];
    private int hbCount;
    private final Long2LongHashMap hbSlots = new Long2LongHashMap(MISSING);

    // heartbeat answers, guarded by this
    private long[] rsGroups = new long[INITIAL];
    private long[] rsTerms = new long[INITIAL];
    private boolean[] rsSuccess = new boolean[INITIAL];
    private long[] rsMatches = new long[INITIAL];
    private long[] rsRejected = new long[INITIAL];
    private long[] rsHintTerms = new long[INITIAL];
    private long[] rsHintIndexes = new long[INITIAL];
    private int rsCount;
    private final Long2LongHashMap rsSlots = new Long2LongHashMap(MISSING);

    /** hbCount + rsCount, published for {@link #pending()}. */
    private volatile int pending;

    PeerOutbox(long selfId, long peerId, int capacity) {
        this.selfId = selfId;
        this.peerId = peerId;
        this.capacity = capacity;
    }

    /** A lock-free hint: how many messages wait (exact once the offers racing with it returned). */
    int pending() {
        return pending;
    }

    /**
     * Parks {@code heartbeat} of {@code groupId}, replacing that group's pending one.
     *
     * @return false if the buffer is full and the group has none pending (send it directly)
     */
    synchronized boolean offerHeartbeat(long groupId, AppendEntriesRequest heartbeat) {
        int slot = (int) hbSlots.get(groupId);
        if (slot == MISSING) {
            if (hbCount == capacity) {
                return false;
            }
            if (hbCount == hbGroups.length) {
                growHeartbeats();
            }
            slot = hbCount++;
            hbGroups[slot] = groupId;
            hbSlots.put(groupId, slot);
            pending = hbCount + rsCount;
        }
        hbTerms[slot] = heartbeat.term();
        hbPrevTerms[slot] = heartbeat.prevLogId().term();
        hbPrevIndexes[slot] = heartbeat.prevLogId().index();
        hbCommits[slot] = heartbeat.leaderCommit();
        return true;
    }

    /**
     * Parks {@code answer} of {@code groupId}, replacing that group's pending one.
     *
     * @return false if the buffer is full and the group has none pending (send it directly)
     */
    synchronized boolean offerAnswer(long groupId, AppendEntriesResponse answer) {
        int slot = (int) rsSlots.get(groupId);
        if (slot == MISSING) {
            if (rsCount == capacity) {
                return false;
            }
            if (rsCount == rsGroups.length) {
                growAnswers();
            }
            slot = rsCount++;
            rsGroups[slot] = groupId;
            rsSlots.put(groupId, slot);
            pending = hbCount + rsCount;
        } else if (rsTerms[slot] == answer.term() && rsSuccess[slot]
                && (!answer.success() || answer.matchIndex() <= rsMatches[slot])) {
            return true; // the parked success of this term tells the leader more: it stays (a later answer never
                         // unsays it: a leader's log only grows within its term)
        } else if (rsTerms[slot] > answer.term()) {
            return true; // (a follower's term never goes back; kept for safety)
        }
        rsTerms[slot] = answer.term();
        rsSuccess[slot] = answer.success();
        rsMatches[slot] = answer.matchIndex();
        rsRejected[slot] = answer.rejectedPrevIndex();
        rsHintTerms[slot] = answer.hint().term();
        rsHintIndexes[slot] = answer.hint().index();
        return true;
    }

    /**
     * Takes up to {@code max} pending heartbeats (the most recently added slots) as one batch.
     *
     * @return the batch, or null if none is pending
     */
    synchronized HeartbeatBatch takeHeartbeats(int max) {
        if (hbCount == 0) {
            return null;
        }
        int to = hbCount;
        int from = Math.max(0, to - max);
        for (int i = from; i < to; i++) {
            hbSlots.remove(hbGroups[i]);
        }
        hbCount = from;
        pending = hbCount + rsCount;
        return new HeartbeatBatch(selfId, peerId, Arrays.copyOfRange(hbGroups, from, to),
                Arrays.copyOfRange(hbTerms, from, to), Arrays.copyOfRange(hbPrevTerms, from, to),
                Arrays.copyOfRange(hbPrevIndexes, from, to), Arrays.copyOfRange(hbCommits, from, to));
    }

    /**
     * Takes up to {@code max} pending answers (the most recently added slots) as one batch.
     *
     * @return the batch, or null if none is pending
     */
    synchronized HeartbeatBatchResponse takeAnswers(int max) {
        if (rsCount == 0) {
            return null;
        }
        int to = rsCount;
        int from = Math.max(0, to - max);
        long[] successes = new long[HeartbeatBatchResponse.wordsFor(to - from)];
        for (int i = from; i < to; i++) {
            rsSlots.remove(rsGroups[i]);
            if (rsSuccess[i]) {
                successes[(i - from) >>> 6] |= 1L << (i - from);
            }
        }
        rsCount = from;
        pending = hbCount + rsCount;
        return new HeartbeatBatchResponse(selfId, peerId, Arrays.copyOfRange(rsGroups, from, to),
                Arrays.copyOfRange(rsTerms, from, to), successes, Arrays.copyOfRange(rsMatches, from, to),
                Arrays.copyOfRange(rsRejected, from, to), Arrays.copyOfRange(rsHintTerms, from, to),
                Arrays.copyOfRange(rsHintIndexes, from, to));
    }

    private void growHeartbeats() {
        int size = Math.min(capacity, hbGroups.length * 2);
        hbGroups = Arrays.copyOf(hbGroups, size);
        hbTerms = Arrays.copyOf(hbTerms, size);
        hbPrevTerms = Arrays.copyOf(hbPrevTerms, size);
        hbPrevIndexes = Arrays.copyOf(hbPrevIndexes, size);
        hbCommits = Arrays.copyOf(hbCommits, size);
    }

    private void growAnswers() {
        int size = Math.min(capacity, rsGroups.length * 2);
        rsGroups = Arrays.copyOf(rsGroups, size);
        rsTerms = Arrays.copyOf(rsTerms, size);
        rsSuccess = Arrays.copyOf(rsSuccess, size);
        rsMatches = Arrays.copyOf(rsMatches, size);
        rsRejected = Arrays.copyOf(rsRejected, size);
        rsHintTerms = Arrays.copyOf(rsHintTerms, size);
        rsHintIndexes = Arrays.copyOf(rsHintIndexes, size);
    }
}
