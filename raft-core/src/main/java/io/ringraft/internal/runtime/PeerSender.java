package io.ringraft.internal.runtime;

import io.ringraft.internal.engine.EntryRange;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import java.io.IOException;
import org.agrona.concurrent.Agent;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one peer's messages: takes them from the core's bounded outbox and, for an AppendEntries,
 * hands the transport a view of the entries the engine chose, straight over the ring's slots
 * ({@link RingEntries}: the transport's encoding is the only copy), or the entries read from storage
 * when the ring no longer holds them (a lagging follower never pins the ring).
 *
 * <p>An AppendEntries is sent only if this node still leads the message's term after the view was
 * captured: the core marks the end of leadership before it can truncate anything, so a message
 * never pairs the old leader's previous entry with entries of another log. The core may still
 * reclaim (applied) entries of the view and reuse their slots while the transport encodes them; the
 * transport then finds {@link LogEntries#stillValid()} false and refuses the send. A refused or
 * failed send is dropped: the engine's progress tracking resends. It also streams the node's newest snapshot to
 * a peer that needs it, one chunk per request of the core ({@link NodeContext#chunkRequests}),
 * keeping the snapshot open between chunks. Runs on its own thread (or a shared one); may
 * block on storage reads only when serving a lagging follower.
 */
final class PeerSender implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);

    private final NodeContext ctx;
    private final long peerId;
    private final int slot;
    private final SpscAtomicArrayQueue<RaftMessage> outbox;
    private final RingEntries view;
    private long dropped;
    /** The snapshot being streamed to the peer, read sequentially chunk by chunk; null if none. */
    private java.io.InputStream snapshotData;
    private io.ringraft.spi.SnapshotInfo snapshotOpen;
    private long snapshotPosition;

    PeerSender(NodeContext ctx, int peerSlot) {
        this.ctx = ctx;
        this.peerId = ctx.peers[peerSlot];
        this.slot = peerSlot;
        this.outbox = ctx.outboxes[peerSlot];
        this.view = new RingEntries(ctx.ring, ctx.config.maxEntriesPerAppend());
    }

    @Override
    public String roleName() {
        return "ringraft-peer-sender-" + ctx.groupId + "-" + ctx.selfId + "-to-" + peerId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            outbox.clear();
            return 0;
        }
        int work = 0;
        NodeContext.ChunkRequest chunk = ctx.chunkRequests[slot].getAndSet(null);
        if (chunk != null) {
            sendChunk(chunk);
            work++;
        }
        RaftMessage message;
        while (work < 64 && (message = outbox.poll()) != null) {
            work++;
            if (message instanceof AppendEntriesRequest request && request.entries() instanceof EntryRange range) {
                message = materialize(request, range);
                if (message == null) {
                    dropped++;
                    continue;
                }
            }
            if (!send(message)) {
                dropped++;
            }
        }
        return work;
    }

    private boolean send(RaftMessage message) {
        try {
            return ctx.transport.send(message);
        } catch (RuntimeException e) {
            LOG.warn("transport refused a message to node {}: {}", peerId, e.toString());
            return false;
        }
    }

    /**
     * Replaces the range by a view of its entries in the ring, or by entries read from storage if the
     * ring no longer holds its first one; null if there are none or this node no longer leads the
     * message's term.
     */
    private AppendEntriesRequest materialize(AppendEntriesRequest request, EntryRange range) {
        long last = range.firstIndex() + range.count() - 1;
        LogEntries entries = view;
        if (view.capture(range.firstIndex(), last, ctx.config.maxBytesPerAppend(), Long.MAX_VALUE) == 0) {
            try {
                entries = ctx.storage.read(range.firstIndex(), range.count(), ctx.config.maxBytesPerAppend());
            } catch (IOException e) {
                LOG.debug("cannot read entries {}.. for node {} from storage: {}", range.firstIndex(), peerId,
                        e.toString());
                return null;
            }
        }
        if (entries.count() == 0 || ctx.leaderTerm.get() != request.term()) {
            return null;
        }
        return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                entries, request.leaderCommit());
    }

    /**
     * Reads the asked-for chunk of the node's newest snapshot and sends it. If that snapshot is no
     * longer the newest (or cannot be read), nothing is sent: the engine retries with the newest.
     */
    private void sendChunk(NodeContext.ChunkRequest request) {
        io.ringraft.spi.SnapshotInfo info = ctx.latestSnapshot.get();
        if (ctx.leaderTerm.get() != request.term() || info == null || !info.last().equals(request.snapshot())
                || request.offset() > info.sizeBytes()) {
            closeSnapshot();
            return;
        }
        try {
            if (!info.equals(snapshotOpen) || snapshotPosition != request.offset()) {
                closeSnapshot();
                snapshotData = ctx.snapshotStore.open(info);
                snapshotData.skipNBytes(request.offset());
                snapshotOpen = info;
                snapshotPosition = request.offset();
            }
            int length = (int) Math.min(ctx.config.snapshotChunkBytes(), info.sizeBytes() - snapshotPosition);
            byte[] data = snapshotData.readNBytes(length);
            if (data.length != length) {
                throw new java.io.IOException("snapshot " + info.last() + " ended after " + (snapshotPosition
                        + data.length) + " of " + info.sizeBytes() + " bytes");
            }
            snapshotPosition += length;
            boolean done = snapshotPosition == info.sizeBytes();
            if (done && snapshotData.read() != -1) { // reading the end makes the store verify the data
                throw new java.io.IOException("snapshot " + info.last() + " holds more than its " + info.sizeBytes()
                        + " bytes");
            }
            if (done) {
                closeSnapshot();
            }
            if (!send(new io.ringraft.message.InstallSnapshotRequest(ctx.selfId, peerId, request.term(), info.last(),
                    info.membership(), request.offset(), data, done))) {
                dropped++;
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cannot send snapshot {} to node {}: {}", info.last(), peerId, e.toString());
            closeSnapshot();
        }
    }

    private void closeSnapshot() {
        if (snapshotData != null) {
            try {
                snapshotData.close();
            } catch (java.io.IOException e) {
                LOG.debug("closing snapshot data failed", e);
            }
            snapshotData = null;
            snapshotOpen = null;
        }
    }

    @Override
    public void onClose() {
        closeSnapshot();
    }

    int slot() {
        return slot;
    }

    long dropped() {
        return dropped;
    }
}
