package io.ringraft.internal.host.link;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;

/**
 * One group's view of one peer process: how many heartbeats from it this group has not answered yet
 * (the newest one's term and previous index), and what it last acknowledged there. This is how the
 * link recognises the answer to a heartbeat (see {@link HostLink}, "Which answers wait"). Guarded by
 * this object's lock: the group's inbound thread records heartbeats, its sending threads consult it;
 * both are short.
 */
final class GroupPeer {

    /**
     * The most unanswered heartbeats counted: a slow node may take a few batches before it answers
     * (each heartbeat gets its own answer); one that never answers some (a follower with entries not
     * yet durable stays silent) leaves at most this many answers without news to wait.
     */
    static final int MAX_OWED = 16;

    final Peer peer;

    // guarded by this
    private int owed;
    private long heartbeatTerm;
    private long heartbeatPrevIndex;
    private long ackedTerm = -1;
    private long ackedMatch;

    GroupPeer(Peer peer) {
        this.peer = peer;
    }

    /** A heartbeat from this peer is about to be offered to the group: its answer is owed. */
    synchronized void heartbeatArrived(AppendEntriesRequest heartbeat) {
        owed = Math.min(MAX_OWED, owed + 1);
        heartbeatTerm = heartbeat.term();
        heartbeatPrevIndex = heartbeat.prevLogId().index();
    }

    /**
     * Whether {@code response}, which the group is sending to this peer, answers an owed heartbeat
     * and tells the leader nothing it did not know: a response while heartbeats are owed, of the
     * newest heartbeat's term, and either a success whose match index is at most that heartbeat's
     * previous index or what this group already acknowledged in that term, or a rejection of exactly
     * that previous index. Every response while heartbeats are owed pays one off, parked or not.
     */
    synchronized boolean answersHeartbeat(AppendEntriesResponse response) {
        boolean parked = false;
        if (owed > 0 && response.term() == heartbeatTerm) {
            if (response.success()) {
                long known = Math.max(heartbeatPrevIndex, ackedTerm == response.term() ? ackedMatch : 0);
                parked = response.matchIndex() <= known;
            } else {
                parked = response.rejectedPrevIndex() == heartbeatPrevIndex;
            }
        }
        owed = Math.max(0, owed - 1);
        noteAcknowledged(response);
        return parked;
    }

    /** {@code response} leaves for this peer (directly or in a batch): remember the match it reports. */
    synchronized void noteAcknowledged(AppendEntriesResponse response) {
        if (!response.success()) {
            return;
        }
        if (response.term() != ackedTerm) {
            if (response.term() < ackedTerm) {
                return;
            }
            ackedTerm = response.term();
            ackedMatch = 0;
        }
        ackedMatch = Math.max(ackedMatch, response.matchIndex());
    }
}
