package io.ringraft.internal.host.link;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesced heartbeats and peer-process liveness for one host (one process, one node id shared by
 * all its groups, DESIGN section 4b): a {@link RaftTransportFactory} the host's groups connect
 * through, wrapping the process's real transport.
 *
 * <pre>{@code
 * HostLink link = new HostLink(transport, nodeId, LinkSettings.defaults().withTiming(hb, election), listener);
 * RaftNode group = RaftNode.builder().nodeId(nodeId).groupId(g).transport(link)...build();
 * // on a host worker, once per duty cycle:
 * link.flush(); link.keepAlive(now); link.checkPeers(now);
 * }</pre>
 *
 * <p><b>Sending.</b> A group's endpoint passes every message straight to the inner transport, except
 * heartbeats (an {@link AppendEntriesRequest} with no entries: the leader's periodic heartbeat, the
 * commit-only notice and the empty probe alike) and answers to heartbeats, which it parks in the
 * peer process's buffer and reports sent. {@link #flush()} then sends one {@link HeartbeatBatch}
 * and one {@link HeartbeatBatchResponse} per peer process with anything parked (several if more than
 * {@link LinkSettings#maxBatchGroups()} groups wait), so the wire carries one message per peer per
 * flush instead of one per group. Delaying a heartbeat or an answer to the next flush is safe: Raft
 * tolerates any delay, loss or reordering of them (a parked heartbeat may arrive after a later
 * append: the follower checks its previous entry as for any reordered message).
 *
 * <p><b>Which answers wait.</b> An {@link AppendEntriesResponse} does not say what it answers, so the
 * link counts, per (group, peer), the heartbeats it delivered to the group from that peer (directly
 * or out of a batch) that the group has not answered yet (at most {@value GroupPeer#MAX_OWED}), and
 * remembers the newest. While one is owed, the group's next response to that peer pays it off, and
 * is parked if it is of that heartbeat's term and tells the leader nothing new: a success whose match index is at most the
 * heartbeat's previous index (where the leader believed the follower to be) or what the group already
 * acknowledged to that peer in that term, or a rejection of exactly the heartbeat's previous index.
 * Every other response, such as an acknowledgement that moves the match (the commit path), a newer
 * term, or the answer to an append, leaves at once, unless {@link LinkSettings#batchEveryAnswer()}: then it
 * waits for the flush too (a host flushes after every worker round), so that the answers of many groups to
 * one peer process share a frame instead of taking one each. A misjudged answer only waits one flush.
 *
 * <p><b>A group's parked answer.</b> A group has at most one answer parked per peer; a newer one replaces
 * it, except a success of the same term with a lower or equal match index, or a rejection, after a parked
 * success of that term: the parked success tells the leader more (a leader's log only grows within its
 * term, so a later answer never unsays it; the leader's pipelining window frees up to the highest match it
 * hears). An older term never replaces a newer one.
 *
 * <p><b>Receiving.</b> The link connects to the inner transport as node {@code selfId} of the reserved
 * group {@link HeartbeatBatch#HOST_GROUP_ID} (transports route by group id and node id, so peers' links
 * reach it like any node), and splits each batch into the per-group messages it stands for, offered
 * to each group's handler: a group not connected here drops its message (counted,
 * {@link LinkStats#droppedUnknownGroup()}), and so does a group whose queue refuses it
 * ({@link LinkStats#droppedRefused()}; Raft resends). The host endpoint itself never refuses, so a
 * batch never pauses a connection that other groups share. The groups' own messages arrive through
 * their own registrations, as without the link.
 *
 * <p><b>Liveness.</b> Anything received from a peer process (any group's message, a batch, a
 * keep-alive) marks it heard. {@link #keepAlive} sends an empty batch to each known peer nothing was
 * sent to for {@link LinkSettings#keepAliveIntervalNanos()}, so peers hear this process even when
 * every group is quiesced; {@link #checkPeers} reports through the {@link PeerListener} each peer not
 * heard from for {@link LinkSettings#peerTimeoutNanos()} (once), and its return (once). Known peers are
 * those any connected group sent to or heard from, and those {@link #addPeer added}. The link reads no
 * clock: time comes with the calls, in nanoseconds of one monotonic source, so a check's resolution
 * is the interval between calls.
 *
 * <p><b>Bounded.</b> At most {@link LinkSettings#maxPeers()} peers, each with buffers of at most
 * {@link LinkSettings#maxPendingPerPeer()} heartbeats and as many answers (grown as used; a full
 * buffer makes the group send directly, {@link LinkStats#directFallbacks()}); at most
 * {@value GroupLink#MAX_PEERS} peers per group; one entry per connected group. A batch carries at most
 * {@link LinkSettings#maxBatchGroups()} groups, further capped so that it fits in the inner transport's
 * frame ({@link RaftTransportFactory#maxEntryBytes()} / {@value #MAX_WIRE_BYTES_PER_GROUP}: a batch
 * entry takes at most 49 bytes on the Netty transport).
 *
 * <p><b>Threads.</b> Everything is thread-safe. Groups call {@code connect} and their endpoints'
 * {@code send} and {@code close} on their own threads; the inner transport calls the inbound
 * handlers on its threads; the host calls {@link #flush}, {@link #keepAlive} and {@link #checkPeers}
 * from any of its workers. Nothing blocks beyond short locks (a peer's buffer, a group's peer entry,
 * the liveness lock) and the inner transport's non-blocking send.
 */
public final class HostLink implements RaftTransportFactory, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostLink.class);

    /** Bytes a batch entry may take on a transport, for capping batches to its frame. */
    static final int MAX_WIRE_BYTES_PER_GROUP = 64;

    private static final Peer[] NO_PEERS = new Peer[0];

    private final RaftTransportFactory inner;
    private final long selfId;
    private final LinkSettings settings;
    private final PeerListener listener;
    private final int batchGroups;
    private final RaftTransport hostEndpoint;
    private final Map<Long, GroupLink> groups = new ConcurrentHashMap<>();
    private volatile Peer[] peers = NO_PEERS;
    private final Object peersLock = new Object();
    private final Object livenessLock = new Object();
    private volatile boolean closed;

    private final AtomicLong heartbeatsParked = new AtomicLong();
    private final AtomicLong answersParked = new AtomicLong();
    private final AtomicLong directFallbacks = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong batchesRefused = new AtomicLong();
    private final AtomicLong keepAlivesSent = new AtomicLong();
    private final AtomicLong batchesReceived = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong droppedUnknownGroup = new AtomicLong();
    private final AtomicLong droppedRefused = new AtomicLong();
    private final AtomicLong droppedOther = new AtomicLong();
    private final AtomicLong untrackedPeers = new AtomicLong();

    /**
     * Creates the link of process {@code selfId} and registers it with {@code inner} as node
     * {@code selfId} of group {@link HeartbeatBatch#HOST_GROUP_ID}. Called once by the host when it
     * starts, before any group connects; does not block beyond the inner transport's {@code connect}.
     *
     * @param inner    the process's transport (shared by all groups)
     * @param selfId   this process's node id, the same for every group of the host (positive)
     * @param settings timing and bounds
     * @param listener told when a peer process is lost or returns (see {@link PeerListener})
     * @throws IllegalArgumentException if {@code selfId} is not positive
     * @throws IllegalStateException    whatever {@code inner} throws if the host group is connected already
     */
    public HostLink(RaftTransportFactory inner, long selfId, LinkSettings settings, PeerListener listener) {
        if (selfId <= 0) {
            throw new IllegalArgumentException("selfId must be positive, got " + selfId);
        }
        this.inner = Objects.requireNonNull(inner, "inner");
        this.selfId = selfId;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        long fitting = Math.max(1, inner.maxEntryBytes() / MAX_WIRE_BYTES_PER_GROUP);
        this.batchGroups = (int) Math.min(settings.maxBatchGroups(), fitting);
        this.hostEndpoint = inner.connect(HeartbeatBatch.HOST_GROUP_ID, selfId, this::receiveHostMessage);
    }

    /**
     * Connects node {@code selfId} of group {@code groupId} through the link: registers it with the
     * inner transport (its own messages arrive as before) and with the link (its heartbeats and answers
     * coalesce). Called by the node when it starts (RaftTransportFactory contract).
     *
     * @throws IllegalArgumentException if {@code selfId} is not this host's node id, or {@code groupId}
     *                                  is the reserved {@link HeartbeatBatch#HOST_GROUP_ID}
     * @throws IllegalStateException    if the group is connected already, or the link is closed
     */
    @Override
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        Objects.requireNonNull(inbound, "inbound");
        if (selfId != this.selfId) {
            throw new IllegalArgumentException("every group of a host uses its node id " + this.selfId + ", got "
                    + selfId + " for group " + groupId);
        }
        if (groupId == HeartbeatBatch.HOST_GROUP_ID) {
            throw new IllegalArgumentException("group id " + groupId + " is reserved for host-level messages");
        }
        if (closed) {
            throw new IllegalStateException("host link of node " + selfId + " is closed");
        }
        GroupLink link = new GroupLink(this, groupId, inbound);
        if (groups.putIfAbsent(groupId, link) != null) {
            throw new IllegalStateException("group " + groupId + " is already connected to the host link of node "
                    + selfId);
        }
        try {
            link.connected(inner.connect(groupId, selfId, link));
        } catch (RuntimeException e) {
            groups.remove(groupId, link);
            throw e;
        }
        return link;
    }

    /** The inner transport's limit: batches do not carry entries. Any thread. */
    @Override
    public int maxEntryBytes() {
        return inner.maxEntryBytes();
    }

    /**
     * Sends what is parked: per peer process with anything waiting, one {@link HeartbeatBatch} and one
     * {@link HeartbeatBatchResponse} (more if more groups wait than a batch carries). The host's
     * workers call it once per duty cycle, from any thread, concurrently if they like (each parked
     * message leaves once). Allocates only the batches it sends; an idle call reads one volatile per
     * peer. A batch the inner transport refuses is dropped (counted; Raft resends).
     *
     * @return the number of batches the inner transport accepted
     */
    public int flush() {
        if (closed) {
            return 0;
        }
        int sent = 0;
        for (Peer peer : peers) {
            PeerOutbox outbox = peer.outbox;
            if (outbox.pending() == 0) {
                continue;
            }
            for (HeartbeatBatch batch; (batch = outbox.takeHeartbeats(batchGroups)) != null; ) {
                sent += sendBatch(peer, batch) ? 1 : 0;
            }
            for (HeartbeatBatchResponse batch; (batch = outbox.takeAnswers(batchGroups)) != null; ) {
                sent += sendBatch(peer, batch) ? 1 : 0;
            }
        }
        return sent;
    }

    private boolean sendBatch(Peer peer, RaftMessage batch) {
        if (hostEndpoint.send(batch)) {
            batchesSent.incrementAndGet();
            peer.markSent();
            return true;
        }
        batchesRefused.incrementAndGet();
        return false;
    }

    /**
     * Sends a keep-alive (an empty {@link HeartbeatBatch}) to every known peer process that nothing
     * (no group message, no batch) was sent to since the previous call that sent it something, for at
     * least the keep-alive interval; a peer never sent to gets one at once. Called by a host worker
     * about every heartbeat interval or more often; serialised with {@link #checkPeers} by the liveness
     * lock.
     *
     * @param nowNanos the current time of the host's monotonic clock
     * @return the number of keep-alives the inner transport accepted
     */
    public int keepAlive(long nowNanos) {
        if (closed) {
            return 0;
        }
        int sent = 0;
        synchronized (livenessLock) {
            for (Peer peer : peers) {
                if (peer.takeSent()) {
                    peer.lastSentNanos = nowNanos;
                } else if (peer.lastSentNanos == Peer.UNSET
                        || nowNanos - peer.lastSentNanos >= settings.keepAliveIntervalNanos()) {
                    if (hostEndpoint.send(HeartbeatBatch.keepAlive(selfId, peer.nodeId))) {
                        keepAlivesSent.incrementAndGet();
                        peer.lastSentNanos = nowNanos;
                        sent++;
                    }
                }
            }
        }
        return sent;
    }

    /**
     * Reports peers lost or returned: a peer heard from since the previous call is alive as of
     * {@code nowNanos} (and reported returned if it was lost); one not heard from for the peer timeout
     * is reported lost, once. A peer's clock starts at the first call that sees it. Called by a host
     * worker about every tick; the listener runs on this thread, under the liveness lock.
     *
     * @param nowNanos the current time of the host's monotonic clock
     * @return the number of peers lost after this call
     */
    public int checkPeers(long nowNanos) {
        int lost = 0;
        synchronized (livenessLock) {
            for (Peer peer : peers) {
                if (peer.takeHeard() || peer.lastHeardNanos == Peer.UNSET) {
                    peer.lastHeardNanos = nowNanos;
                    if (peer.lost) {
                        peer.lost = false;
                        report(peer.nodeId, false);
                    }
                } else if (!peer.lost && nowNanos - peer.lastHeardNanos >= settings.peerTimeoutNanos()) {
                    peer.lost = true;
                    report(peer.nodeId, true);
                }
                lost += peer.lost ? 1 : 0;
            }
        }
        return lost;
    }

    private void report(long nodeId, boolean lost) {
        try {
            if (lost) {
                listener.peerLost(nodeId);
            } else {
                listener.peerReturned(nodeId);
            }
        } catch (RuntimeException e) {
            LOG.warn("host {}: peer listener threw for peer {} ({})", selfId, nodeId, lost ? "lost" : "returned", e);
        }
    }

    /**
     * Watches process {@code nodeId} from now on (keep-alives and liveness) even before any group talks
     * to it. Any thread.
     *
     * @param nodeId the peer process's node id (positive, not this process's)
     * @return false if the tracked-peer bound is reached (the peer is not watched)
     * @throws IllegalArgumentException if {@code nodeId} is not positive or is this process's
     */
    public boolean addPeer(long nodeId) {
        if (nodeId <= 0 || nodeId == selfId) {
            throw new IllegalArgumentException("a peer's node id must be positive and not this host's " + selfId
                    + ", got " + nodeId);
        }
        return peer(nodeId) != null;
    }

    /**
     * {@return whether process {@code nodeId} is known and not reported lost} Any thread; reads the
     * state as of the latest {@link #checkPeers}.
     *
     * @param nodeId the peer process's node id
     */
    public boolean isAlive(long nodeId) {
        Peer peer = find(nodeId);
        if (peer == null) {
            return false;
        }
        synchronized (livenessLock) {
            return !peer.lost;
        }
    }

    /** {@return the node ids of the peers this link knows, in the order it learnt them} Any thread. */
    public long[] knownPeers() {
        Peer[] table = peers;
        long[] ids = new long[table.length];
        for (int i = 0; i < table.length; i++) {
            ids[i] = table[i].nodeId;
        }
        return ids;
    }

    /** {@return this host's node id} */
    public long selfId() {
        return selfId;
    }

    /** {@return the counters now} Any thread. */
    public LinkStats stats() {
        return new LinkStats(heartbeatsParked.get(), answersParked.get(), directFallbacks.get(), batchesSent.get(),
                batchesRefused.get(), keepAlivesSent.get(), batchesReceived.get(), delivered.get(),
                droppedUnknownGroup.get(), droppedRefused.get(), droppedOther.get(), untrackedPeers.get());
    }

    /**
     * Stops sending batches and unregisters the host endpoint from the inner transport (batches then
     * find no receiver here). Groups still connected send everything directly from now on (what was
     * parked is dropped; Raft resends). Close the groups first; their endpoints are theirs to close.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        hostEndpoint.close();
    }

    @Override
    public String toString() {
        return "HostLink[node=" + selfId + " groups=" + groups.size() + " peers=" + peers.length + " over " + inner + "]";
    }

    // ------------------------------------------------------------------ for the groups' endpoints

    /** Parks {@code heartbeat}; false if the peer's buffer is full (the caller sends it directly). */
    boolean park(Peer peer, long groupId, AppendEntriesRequest heartbeat) {
        if (peer.outbox.offerHeartbeat(groupId, heartbeat)) {
            heartbeatsParked.incrementAndGet();
            return true;
        }
        directFallbacks.incrementAndGet();
        return false;
    }

    /** Parks {@code answer}; false if the peer's buffer is full (the caller sends it directly). */
    boolean park(Peer peer, long groupId, AppendEntriesResponse answer) {
        if (peer.outbox.offerAnswer(groupId, answer)) {
            answersParked.incrementAndGet();
            return true;
        }
        directFallbacks.incrementAndGet();
        return false;
    }

    /** Whether every answer to an append waits for the flush, not only those that tell the leader nothing new. */
    boolean batchesEveryAnswer() {
        return settings.batchEveryAnswer();
    }

    boolean isClosed() {
        return closed;
    }

    void disconnected(GroupLink link) {
        groups.remove(link.groupId, link);
    }

    void untracked() {
        untrackedPeers.incrementAndGet();
    }

    /** The peer {@code nodeId}, added if new; null for this process or beyond the bound. */
    Peer peer(long nodeId) {
        Peer found = find(nodeId);
        if (found != null || nodeId == selfId || nodeId <= 0) {
            return found;
        }
        synchronized (peersLock) {
            found = find(nodeId);
            if (found != null) {
                return found;
            }
            Peer[] table = peers;
            if (table.length >= settings.maxPeers()) {
                untrackedPeers.incrementAndGet();
                return null;
            }
            Peer added = new Peer(selfId, nodeId, settings.maxPendingPerPeer());
            Peer[] grown = Arrays.copyOf(table, table.length + 1);
            grown[table.length] = added;
            peers = grown;
            return added;
        }
    }

    private Peer find(long nodeId) {
        for (Peer peer : peers) {
            if (peer.nodeId == nodeId) {
                return peer;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ receiving

    /** The host endpoint's inbound handler: splits batches; never refuses (true), so never pauses a connection. */
    private boolean receiveHostMessage(RaftMessage message) {
        if (message.to() != selfId) {
            droppedOther.incrementAndGet();
            Releasable.release(message);
            return true;
        }
        Peer peer = peer(message.from());
        if (peer != null) {
            peer.markHeard();
        }
        if (message instanceof HeartbeatBatch batch) {
            batchesReceived.incrementAndGet();
            for (int i = 0; i < batch.size(); i++) {
                GroupLink group = groups.get(batch.groupIds()[i]);
                if (group == null) {
                    droppedUnknownGroup.incrementAndGet();
                    continue;
                }
                count(offer(group, batch.heartbeat(i), true));
            }
        } else if (message instanceof HeartbeatBatchResponse batch) {
            batchesReceived.incrementAndGet();
            for (int i = 0; i < batch.size(); i++) {
                GroupLink group = groups.get(batch.groupIds()[i]);
                if (group == null) {
                    droppedUnknownGroup.incrementAndGet();
                    continue;
                }
                count(offer(group, batch.response(i), false));
            }
        } else {
            droppedOther.incrementAndGet();
            Releasable.release(message);
        }
        return true;
    }

    private boolean offer(GroupLink group, RaftMessage message, boolean heartbeat) {
        try {
            return heartbeat ? group.offerHeartbeat((AppendEntriesRequest) message) : group.node.offer(message);
        } catch (RuntimeException e) {
            LOG.warn("host {}: group {} threw from offer(); its message from a batch is dropped", selfId,
                    group.groupId, e);
            return false;
        }
    }

    private void count(boolean accepted) {
        (accepted ? delivered : droppedRefused).incrementAndGet();
    }
}
