package io.ringraft.internal.runtime;

import io.ringraft.internal.engine.EntryRange;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import java.io.IOException;
import org.agrona.concurrent.Agent;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one peer's messages: takes them from the core's bounded outbox and, for an AppendEntries,
 * reads the entries the engine chose from the ring into its own scratch batch (or from storage when
 * the ring no longer holds them: a lagging follower never pins the ring), then hands the message to
 * the transport.
 *
 * <p>An AppendEntries is sent only if this node still leads the message's term after the entries
 * were read: the core marks the end of leadership before it can truncate anything, so a message
 * never pairs the old leader's previous entry with entries of another log. A refused or failed send
 * is dropped: the engine's progress tracking resends. It also streams the node's newest snapshot to
 * a peer that needs it, one chunk per request of the core ({@link NodeContext#chunkRequests}),
 * keeping the snapshot open between chunks. Runs on its own thread (or a shared one); may
 * block on storage reads only when serving a lagging follower.
 */
final class ReplicatorTask implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatorTask.class);

    private final NodeContext ctx;
    private final long peerId;
    private final int slot;
    private final SpscArrayQueue<RaftMessage> outbox;
    private final EntryBatch batch;
    private long dropped;
    /** The snapshot being streamed to the peer, read sequentially chunk by chunk; null if none. */
    private java.io.InputStream snapshotData;
    private io.ringraft.spi.SnapshotInfo snapshotOpen;
    private long snapshotPosition;

    ReplicatorTask(NodeContext ctx, int peerSlot) {
        this.ctx = ctx;
        this.peerId = ctx.peers[peerSlot];
        this.slot = peerSlot;
        this.outbox = ctx.outboxes[peerSlot];
        this.batch = new EntryBatch(ctx.config.maxEntriesPerAppend(),
                Math.max(ctx.config.maxBytesPerAppend(), ctx.config.maxEntryBytes()));
    }

    @Override
    public String roleName() {
        return "ringraft-replicator-" + ctx.groupId + "-" + ctx.selfId + "-to-" + peerId;
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

    /** Reads the range's entries; null if this node no longer leads the message's term. */
    private AppendEntriesRequest materialize(AppendEntriesRequest request, EntryRange range) {
        batch.clear(range.firstIndex());
        long end = range.firstIndex() + range.count();
        while (batch.firstIndex() + batch.count() < end && batch.addFromRing(ctx.ring)) {
            // copied from the ring
        }
        long next = batch.firstIndex() + batch.count();
        if (next < end && !batch.isFull()) {
            try {
                LogEntries stored = ctx.storage.read(next, (int) (end - next), ctx.config.maxBytesPerAppend());
                for (int i = 0; i < stored.count() && batch.add(stored, i); i++) {
                    // copied from storage
                }
            } catch (IOException e) {
                LOG.debug("cannot read entries {}.. for node {} from storage: {}", next, peerId, e.toString());
            }
        }
        if (batch.count() == 0 || ctx.leaderTerm.get() != request.term()) {
            return null;
        }
        return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                batch, request.leaderCommit());
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
