package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.RaftConfig;
import io.ringraft.internal.engine.EntryRange;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.internal.runtime.TransportLink;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.ring.RingEntries;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
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
 * failed send is dropped: the engine's progress tracking resends. It also streams a snapshot to
 * a peer that needs it, one chunk per request of the core ({@link ChunkRequest}), keeping the snapshot
 * open between chunks: a transfer keeps its snapshot to the end even when a newer one is taken (the
 * open stream still reads it after the store deleted it), and the last chunk is kept to be sent again
 * without reading. A snapshot it cannot read any more is reported back through the chunk request
 * ({@link ChunkRequest#unavailable}); the engine then starts over with the newest. Chunks are paced
 * at {@code snapshotSendBytesPerSecond} if set. Runs on its own thread (or a shared one); may block on storage reads only when
 * serving a lagging follower.
 *
 * <p>Built when its peer takes a slot in {@link Peers}, with what it touches: the slot's outbox and
 * chunk request, the ring, storage and snapshot store it reads from, the core's {@code leaderTerm}
 * and the newest durable snapshot, which it reads, and the transport it sends through.
 */
public final class PeerSender implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);

    private final long groupId;
    private final long selfId;
    private final long peerId;
    private final int slot;
    private final MessagePassingQueue<RaftMessage> outbox;
    private final AtomicReference<ChunkRequest> chunkRequest;
    private final RaftConfig config;
    private final LogStorage storage;
    private final SnapshotStore snapshotStore;
    private final ProgressView leaderTerm;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final TransportLink transport;
    /** Where a forwarded command the transport refused is reported (this node's forwards). */
    private final io.ringraft.internal.runtime.requests.Forwards forwards;
    private final StopState stop;
    private final RingEntries view;
    private long dropped;
    private long sent;
    private final io.ringraft.spi.RaftMetrics metrics;
    /** {@link #sent} and {@link #dropped} as last reported to the metrics. */
    private long reportedSent;
    private long reportedDropped;
    /** The snapshot being streamed to the peer, read sequentially chunk by chunk; null if none. */
    private java.io.InputStream snapshotData;
    private io.ringraft.spi.SnapshotInfo snapshotOpen;
    private long snapshotPosition;
    /** The snapshot of the transfer under way (kept after its stream closed), or null. */
    private io.ringraft.spi.SnapshotInfo sending;
    /** The last chunk sent of {@link #sending}, and its offset: sent again without reading. */
    private byte[] lastChunk;
    private long lastChunkOffset = -1;
    private final java.util.function.LongSupplier nanoClock;
    /** Paced: when the next chunk may go ({@link #nanoClock}). */
    private long nextChunkAtNanos;
    /** Paced ({@code catchUpBytesPerSecond}): when the next read from storage may go. */
    private long nextReadAtNanos;
    /** An AppendEntries that needs a read from storage the pace does not allow yet (sent first), or null. */
    private AppendEntriesRequest held;

    /**
     * @param slot           the peer's slot in {@link Peers}, with its {@code outbox} and {@code chunkRequest}
     * @param snapshotStore  where the newest snapshot is read from; null if the node takes none
     */
    public PeerSender(long groupId, long selfId, long peerId, int slot, MessagePassingQueue<RaftMessage> outbox,
               AtomicReference<ChunkRequest> chunkRequest, RaftConfig config, EntryRing ring, LogStorage storage,
               SnapshotStore snapshotStore, ProgressView leaderTerm, AtomicReference<SnapshotInfo> latestSnapshot,
               TransportLink transport, StopState stop, io.ringraft.spi.RaftMetrics metrics,
               java.util.function.LongSupplier nanoClock, io.ringraft.internal.runtime.requests.Forwards forwards) {
        this.metrics = metrics;
        this.forwards = forwards;
        this.nanoClock = nanoClock;
        this.groupId = groupId;
        this.selfId = selfId;
        this.peerId = peerId;
        this.slot = slot;
        this.outbox = outbox;
        this.chunkRequest = chunkRequest;
        this.config = config;
        this.storage = storage;
        this.snapshotStore = snapshotStore;
        this.leaderTerm = leaderTerm;
        this.latestSnapshot = latestSnapshot;
        this.transport = transport;
        this.stop = stop;
        this.view = new RingEntries(ring, config.maxEntriesPerAppend());
    }

    @Override
    public String roleName() {
        return "ringraft-peer-sender-" + groupId + "-" + selfId + "-to-" + peerId;
    }

    @Override
    public int doWork() {
        if (stop.stopped()) {
            outbox.clear();
            return 0;
        }
        int work = 0;
        ChunkRequest chunk = chunkRequest.get();
        if (chunk != null && !chunk.unavailable() && paceAllows() && chunkRequest.compareAndSet(chunk, null)) {
            sendChunk(chunk);
            work++;
        }
        RaftMessage message;
        while (work < 64 && (message = nextMessage()) != null) {
            work++;
            if (message instanceof AppendEntriesRequest request && request.entries() instanceof EntryRange range) {
                if (!readAllowed() && !view.holds(range.firstIndex())) { // unpaced: no ring look here
                    held = request; // the rest of the outbox waits behind it: at most one read's time
                    break;
                }
                message = materialize(request, range);
                if (message == null) {
                    dropped++;
                    continue;
                }
            }
            if (!send(message)) {
                dropped++;
                if (message instanceof io.ringraft.message.ForwardProposal forward) {
                    forwards.undelivered(forward.requestId()); // certainly not delivered: its caller may retry now
                }
            } else {
                sent++;
            }
        }
        if (work == 0) {
            view.releaseIfRingReleased(); // a quiet group: the core wakes us once it released the ring
        } else {
            view.forgetPayload(); // sent (the transport copied the entries): keep no released arena reachable
            metrics.messagesSent(peerId, (int) (sent - reportedSent), (int) (dropped - reportedDropped));
            reportedSent = sent;
            reportedDropped = dropped;
        }
        return work;
    }

    /** The held AppendEntries once the pace allows it, else the outbox's next message. */
    private RaftMessage nextMessage() {
        if (held == null) {
            return outbox.poll();
        }
        if (!readAllowed()) {
            return null;
        }
        RaftMessage message = held;
        held = null;
        return message;
    }

    /** Whether a read from storage may go now ({@code catchUpBytesPerSecond}). */
    private boolean readAllowed() {
        return config.catchUpBytesPerSecond() == 0 || nanoClock.getAsLong() - nextReadAtNanos >= 0;
    }

    /**
     * How long this sender may park, at most {@code maxNanos}: until the pace lets a held read or a
     * requested snapshot chunk go.
     *
     * @param maxNanos the longest park otherwise
     * @return the park, in nanoseconds
     */
    public long parkNanos(long maxNanos) {
        long park = maxNanos;
        long now = nanoClock.getAsLong();
        if (held != null) {
            park = Math.min(park, Math.max(0, nextReadAtNanos - now));
        }
        ChunkRequest chunk = chunkRequest.get();
        if (config.snapshotSendBytesPerSecond() > 0 && chunk != null && !chunk.unavailable()) { // one the core must take
            park = Math.min(park, Math.max(0, nextChunkAtNanos - now));
        }
        return park;
    }

    private boolean send(RaftMessage message) {
        try {
            return transport.send(message);
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
        if (view.capture(range.firstIndex(), last, config.maxBytesPerAppend(), Long.MAX_VALUE) == 0) {
            try {
                entries = storage.read(range.firstIndex(), range.count(), config.maxBytesPerAppend());
                pacedRead(entries);
            } catch (IOException e) {
                LOG.debug("cannot read entries {}.. for node {} from storage: {}", range.firstIndex(), peerId,
                        e.toString());
                return null;
            }
        }
        if (entries.count() == 0 || leaderTerm.get() != request.term()) {
            return null;
        }
        return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                entries, request.leaderCommit());
    }

    /** Paced: the next read from storage goes once {@code entries} have had their time at the configured rate. */
    private void pacedRead(LogEntries entries) {
        long rate = config.catchUpBytesPerSecond();
        if (rate > 0) {
            long bytes = 0;
            for (int i = 0; i < entries.count(); i++) {
                bytes += entries.payloadAt(i).length();
            }
            nextReadAtNanos = nanoClock.getAsLong() + (long) (bytes * 1e9 / rate);
        }
    }

    /** Whether a paced sender may send the next chunk now (it stays asked for until then). */
    private boolean paceAllows() {
        return config.snapshotSendBytesPerSecond() == 0 || nanoClock.getAsLong() - nextChunkAtNanos >= 0;
    }

    /** Paced: the next chunk goes once {@code bytes} have had their time at the configured rate. */
    private void paced(int bytes) {
        long rate = config.snapshotSendBytesPerSecond();
        if (rate > 0) {
            nextChunkAtNanos = nanoClock.getAsLong() + (long) (bytes * 1e9 / rate);
        }
    }

    /**
     * Reads the asked-for chunk and sends it: of the newest snapshot, or of the one a transfer under
     * way sends (kept open). If it is neither, or cannot be read, nothing is sent and the core is told
     * ({@link ChunkRequest#unavailable}): the engine starts over with the newest.
     */
    private void sendChunk(ChunkRequest request) {
        if (leaderTerm.get() != request.term()) {
            closeSnapshot();
            return;
        }
        io.ringraft.spi.SnapshotInfo latest = latestSnapshot.get();
        io.ringraft.spi.SnapshotInfo info = latest != null && latest.last().equals(request.snapshot()) ? latest
                : sending != null && sending.last().equals(request.snapshot()) ? sending : null;
        if (info == null || request.offset() > info.sizeBytes()) {
            closeSnapshot();
            unavailable(request);
            return;
        }
        if (!info.equals(sending)) {
            sending = info;
            lastChunk = null;
            lastChunkOffset = -1;
        }
        try {
            byte[] data;
            boolean done;
            if (lastChunk != null && request.offset() == lastChunkOffset) {
                data = lastChunk; // a resend: the follower did not answer it
                done = lastChunkOffset + data.length == info.sizeBytes();
            } else {
                if (!info.equals(snapshotOpen) || snapshotPosition != request.offset()) {
                    closeSnapshot();
                    snapshotData = snapshotStore.open(info);
                    snapshotData.skipNBytes(request.offset());
                    snapshotOpen = info;
                    snapshotPosition = request.offset();
                }
                int length = (int) Math.min(config.snapshotChunkBytes(), info.sizeBytes() - snapshotPosition);
                data = snapshotData.readNBytes(length);
                if (data.length != length) {
                    throw new java.io.IOException("snapshot " + info.last() + " ended after " + (snapshotPosition
                            + data.length) + " of " + info.sizeBytes() + " bytes");
                }
                snapshotPosition += length;
                done = snapshotPosition == info.sizeBytes();
                if (done && snapshotData.read() != -1) { // reading the end makes the store verify the data
                    throw new java.io.IOException("snapshot " + info.last() + " holds more than its "
                            + info.sizeBytes() + " bytes");
                }
                if (done) {
                    closeSnapshot();
                }
                lastChunk = data;
                lastChunkOffset = request.offset();
            }
            if (!send(new io.ringraft.message.InstallSnapshotRequest(selfId, peerId, request.term(), info.last(),
                    info.membership(), request.offset(), data, done))) {
                dropped++;
            } else {
                sent++;
                paced(data.length);
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cannot send snapshot {} to node {}: {}", info.last(), peerId, e.toString());
            closeSnapshot();
            lastChunk = null;
            lastChunkOffset = -1;
            unavailable(request);
        }
    }

    /** Tells the core that {@code request}'s snapshot cannot be sent (unless it asked for something newer). */
    private void unavailable(ChunkRequest request) {
        chunkRequest.compareAndSet(null, ChunkRequest.unavailable(request.term(), request.snapshot()));
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
        sending = null;
        lastChunk = null;
    }

    /** {@return whether this sender's view over the ring holds its tables} Any thread; a snapshot, for tests. */
    public boolean viewAllocated() {
        return view.isAllocated();
    }

    public int slot() {
        return slot;
    }

    long dropped() {
        return dropped;
    }
}
