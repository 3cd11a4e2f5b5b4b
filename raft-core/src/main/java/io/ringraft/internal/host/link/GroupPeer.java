package io.ringraft.internal.host.link;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;

/**
 * One group's view of one peer process: which heartbeat from it this group still owes an answer to,
 * and what it last acknowledged there. This is how the link recognises the answer to a heartbeat
 * (see {@link HostLink}, "Which answers wait"). Guarded by this object's lock: the group's inbound
 * thread records heartbeats, its sending threads consult it; both are short.
 */
final class GroupPeer {

    final Peer peer;

    // guarded by this
    private boolean owed;
    private long heartbeatTerm;
    private long heartbeatPrevIndex;
    private long ackedTerm = -1;
    private long ackedMatch;

    GroupPeer(Peer peer) {
        this.peer = peer;
    }

    /** A heartbeat from this peer is about to be offered to the group: its answer is owed. */
    synchronized void heartbeatArrived(AppendEntriesRequest heartbeat) {
        owed = true;
        heartbeatTerm = heartbeat.term();
        heartbeatPrevIndex = heartbeat.prevLogId().index();
    }

    /**
     * Whether {@code response}, which the group is sending to this peer, answers the owed heartbeat
     * and tells the leader nothing it did not know: the first response after a heartbeat, of the
     * heartbeat's term, and either a success whose match index is at most the heartbeat's previous
     * index or what this group already acknowledged in that term, or a rejection of exactly the
     * heartbeat's previous index. The first response after a heartbeat clears the debt either way.
     */
    synchronized boolean answersHeartbeat(AppendEntriesResponse response) {
        boolean parked = false;
        if (owed && response.term() == heartbeatTerm) {
            if (response.success()) {
                long known = Math.max(heartbeatPrevIndex, ackedTerm == response.term() ? ackedMatch : 0);
                parked = response.matchIndex() <= known;
            } else {
                parked = response.rejectedPrevIndex() == heartbeatPrevIndex;
            }
        }
        owed = false;
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
