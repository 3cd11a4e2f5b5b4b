package io.ringraft.internal.host.link;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory.InboundHandler;

/**
 * One group's endpoint through a {@link HostLink}: the {@link RaftTransport} its node sends with, and
 * the inbound handler the inner transport delivers the group's own messages to.
 *
 * <p>Keeps a small copy-on-write table of the peers the group talks to ({@link GroupPeer}), at most
 * {@value #MAX_PEERS} (messages to or from more go directly, not coalesced, their liveness not
 * noted); a table change (a new peer) copies it, everything else reads it without a lock.
 */
final class GroupLink implements RaftTransport, InboundHandler {

    static final int MAX_PEERS = 32;
    private static final GroupPeer[] NONE = new GroupPeer[0];

    final long groupId;
    final InboundHandler node;
    private final HostLink host;
    private volatile RaftTransport inner;
    private volatile GroupPeer[] peers = NONE;
    private volatile boolean closed;

    GroupLink(HostLink host, long groupId, InboundHandler node) {
        this.host = host;
        this.groupId = groupId;
        this.node = node;
    }

    void connected(RaftTransport endpoint) {
        inner = endpoint;
    }

    /**
     * Parks a heartbeat, or an answer to one, for the next flush; passes anything else (and those when
     * a buffer is full) to the inner transport. Called by the node's sending threads; never blocks
     * (a short lock on the peer's buffer).
     */
    @Override
    public boolean send(RaftMessage message) {
        RaftTransport endpoint = inner;
        if (closed || endpoint == null) {
            return false;
        }
        GroupPeer peer = peer(message.to());
        if (peer != null && !host.isClosed()) {
            if (message instanceof AppendEntriesRequest request && request.entries().count() == 0
                    && request.prevLogId().term() <= request.term()) { // (a batch's rule; a leader's always hold)
                if (host.park(peer.peer, groupId, request)) {
                    return true;
                }
            } else if (message instanceof AppendEntriesResponse response) {
                boolean nothingNew = peer.answersHeartbeat(response); // pays an owed heartbeat off, notes the match
                if ((nothingNew || host.batchesEveryAnswer()) && host.park(peer.peer, groupId, response)) {
                    return true;
                }
            }
        }
        boolean accepted = endpoint.send(message);
        if (accepted && peer != null) {
            peer.peer.markSent();
        }
        return accepted;
    }

    /** A message of this group from the inner transport: note the peer alive, then offer it to the node. */
    @Override
    public boolean offer(RaftMessage message) {
        GroupPeer peer = peer(message.from());
        if (peer != null) {
            peer.peer.markHeard();
            if (message instanceof AppendEntriesRequest request && request.entries().count() == 0) {
                peer.heartbeatArrived(request);
            }
        }
        return node.offer(message);
    }

    /** A heartbeat split out of a batch: owe its answer, then offer it to the node. */
    boolean offerHeartbeat(AppendEntriesRequest heartbeat) {
        GroupPeer peer = peer(heartbeat.from());
        if (peer != null) {
            peer.heartbeatArrived(heartbeat);
        }
        return node.offer(heartbeat);
    }

    @Override
    public void close() {
        closed = true;
        host.disconnected(this);
        RaftTransport endpoint = inner;
        if (endpoint != null) {
            endpoint.close();
        }
    }

    /** This group's view of peer {@code nodeId}, added on first use; null beyond the bounds. */
    GroupPeer peer(long nodeId) {
        GroupPeer[] table = peers;
        for (GroupPeer p : table) {
            if (p.peer.nodeId == nodeId) {
                return p;
            }
        }
        return addPeer(nodeId);
    }

    private synchronized GroupPeer addPeer(long nodeId) {
        GroupPeer[] table = peers;
        for (GroupPeer p : table) {
            if (p.peer.nodeId == nodeId) {
                return p;
            }
        }
        if (table.length >= MAX_PEERS) {
            host.untracked();
            return null;
        }
        Peer peer = host.peer(nodeId);
        if (peer == null) {
            return null;
        }
        GroupPeer added = new GroupPeer(peer);
        GroupPeer[] grown = java.util.Arrays.copyOf(table, table.length + 1);
        grown[table.length] = added;
        peers = grown;
        return added;
    }
}
