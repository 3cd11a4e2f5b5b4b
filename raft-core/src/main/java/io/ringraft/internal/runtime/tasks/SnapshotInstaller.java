package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.LogId;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.StateMachineCalls;
import io.ringraft.internal.runtime.TransportLink;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of snapshot transfer, run by the applier: writes the chunks a leader sends
 * (queued by the core after the engine's term checks) into the snapshot store, in order, answering
 * each with the offset it wants next; commits the snapshot with the last chunk, restores the state
 * machine from it if it is ahead of what was applied, and hands it to the core
 * ({@code installedSnapshot}, waking it), which moves the engine's log onto it. It also makes it the
 * newest durable snapshot ({@code latestSnapshot}). Answers go to the leader through the transport.
 *
 * <p>Crash safety: the snapshot becomes visible only when the store commits it, so a crash during the
 * transfer leaves no partial snapshot; at restart the node restores the newest committed snapshot and
 * reconciles its log with it, so a crash after the commit but before the log was reset is harmless.
 *
 * <p>Resuming: every {@code RaftConfig.snapshotCheckpointBytes} received, the sink is {@linkplain SnapshotSink#checkpoint()
 * checkpointed}. After a restart, the first chunk that arrives with no transfer under way is checked
 * against the store's {@linkplain SnapshotStore#partial() partial snapshot}: if the same leader in the
 * same term is still sending the same snapshot, the transfer continues from the checkpoint (the answer
 * names that offset and the leader seeks there) instead of starting over.
 * A transfer interrupted by a new leader or a newer snapshot is abandoned when the first chunk of the
 * new one arrives. Memory: one transfer's sink at a time.
 *
 * <p>Runs on the applier's thread only (so the state machine is only ever touched there), between
 * batches; blocks on the snapshot store's IO and inside the state machine's {@code restore}.
 */
public final class SnapshotInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotInstaller.class);

    /** What the applier does once a snapshot is restored. */
    interface Restored {
        void restored(SnapshotInfo snapshot);
    }

    /** Chunks the applier may have waiting: one being written, a few behind it. */
    public static final int CHUNK_QUEUE = 4;

    private final long groupId;
    private final long selfId;
    private final SnapshotStore snapshotStore;
    private final StateMachine stateMachine;
    private final MessagePassingQueue<InstallSnapshotRequest> snapshotChunks;
    private final AtomicReference<SnapshotInfo> installedSnapshot;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final Signal coreSignal;
    private final TransportLink transport;
    private final java.util.function.LongSupplier applied;
    private final Restored restored;
    /** Whether the state machine may be restored now (a streaming one: nothing handed over is unreported). */
    private final java.util.function.BooleanSupplier mayRestore;
    /** The last chunk of a snapshot waits in the queue until {@link #mayRestore} holds. */
    private boolean restoreWaiting;
    private SnapshotSink sink;
    private LogId receiving;
    private long receivingTerm;
    private long received;
    /** {@link #received} at the last checkpoint. */
    private long checkpointed;
    /** Whether the store was asked for a partial snapshot left by an earlier run (once per run). */
    private boolean partialChecked;
    /** When the first chunk of the snapshot being received arrived. */
    private long receivingSince;
    private final java.util.function.LongSupplier nanoClock;
    private final io.ringraft.spi.RaftMetrics metrics;
    /** Bytes received between checkpoints of a transfer (so a restart loses at most this much). */
    private final long checkpointBytes;

    /**
     * @param snapshotStore  where the snapshot is written; null if the node takes none (a chunk then
     *                       stops the node: every node needs a store to be sent snapshots)
     * @param snapshotChunks the chunks the core queued, at most {@link #CHUNK_QUEUE}
     */
    SnapshotInstaller(long groupId, long selfId, SnapshotStore snapshotStore, StateMachine stateMachine,
                      MessagePassingQueue<InstallSnapshotRequest> snapshotChunks,
                      AtomicReference<SnapshotInfo> installedSnapshot, AtomicReference<SnapshotInfo> latestSnapshot,
                      Signal coreSignal, TransportLink transport, java.util.function.LongSupplier applied,
                      Restored restored, java.util.function.BooleanSupplier mayRestore,
                      java.util.function.LongSupplier nanoClock, io.ringraft.spi.RaftMetrics metrics,
                      long checkpointBytes) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.snapshotStore = snapshotStore;
        this.stateMachine = stateMachine;
        this.snapshotChunks = snapshotChunks;
        this.installedSnapshot = installedSnapshot;
        this.latestSnapshot = latestSnapshot;
        this.coreSignal = coreSignal;
        this.transport = transport;
        this.applied = applied;
        this.restored = restored;
        this.mayRestore = mayRestore;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
        this.checkpointBytes = checkpointBytes;
    }

    /**
     * Handles the chunks waiting; returns how many. A last chunk (which may restore the state machine)
     * is left queued while {@code mayRestore} is false; {@link #restoreWaiting()} then says so.
     */
    int poll() throws IOException {
        int work = 0;
        restoreWaiting = false;
        InstallSnapshotRequest chunk;
        while (work < CHUNK_QUEUE && (chunk = snapshotChunks.peek()) != null) {
            if (chunk.done() && !mayRestore.getAsBoolean()) {
                restoreWaiting = true;
                break;
            }
            snapshotChunks.poll();
            onChunk(chunk);
            work++;
        }
        return work;
    }

    /** The last poll left a last chunk queued until the state machine may be restored. */
    boolean restoreWaiting() {
        return restoreWaiting;
    }

    private void onChunk(InstallSnapshotRequest chunk) throws IOException {
        if (snapshotStore == null) {
            throw new IOException("node " + selfId + " was sent snapshot " + chunk.snapshot() + " by node "
                    + chunk.from() + " but has no snapshot store to install it: configure one on every node");
        }
        boolean current = sink != null && chunk.snapshot().equals(receiving) && chunk.term() == receivingTerm;
        if (!current && !partialChecked) {
            partialChecked = true;
            current = resumeIfKept(chunk);
        }
        if (chunk.offset() == 0 && !current) {
            abandon();
            sink = snapshotStore.beginReceiving(chunk.snapshot(), chunk.membership(), chunk.from(), chunk.term());
            receiving(chunk, 0);
            LOG.info("node {} of group {} is receiving snapshot {} from node {}", selfId, groupId,
                    receiving, chunk.from());
            current = true;
        }
        if (!current || chunk.offset() != received) {
            answer(chunk, current ? received : 0); // the leader goes on (or starts over) from there
            return;
        }
        OutputStream out = sink.data();
        out.write(chunk.data());
        received += chunk.data().length;
        if (!chunk.done()) {
            if (received - checkpointed >= checkpointBytes) {
                sink.checkpoint();
                checkpointed = received;
            }
            answer(chunk, received);
            return;
        }
        SnapshotInfo info = sink.commit();
        sink = null;
        receiving = null;
        LOG.info("node {} of group {} received snapshot {} ({} bytes)", selfId, groupId, info.last(),
                info.sizeBytes());
        if (info.last().index() > applied.getAsLong()) {
            try (InputStream in = snapshotStore.open(info)) {
                // Reads to the end, where the store verifies the data; the state machine's own failure
                // is a StateMachineFailedException, the stream's an IOException.
                StateMachineCalls.restore(stateMachine, in, selfId, "snapshot " + info.last());
            }
            restored.restored(info);
        }
        metrics.snapshotInstalled(nanoClock.getAsLong() - receivingSince, info.sizeBytes());
        // The engine answers the leader once it has moved its log onto the snapshot.
        installedSnapshot.set(info);
        latestSnapshot.accumulateAndGet(info, SnapshotTask::newer);
        coreSignal.wake();
    }

    /**
     * Continues the snapshot an earlier run was receiving, if the store kept part of it and {@code chunk}
     * belongs to the same transfer (same snapshot, leader and term); true if it does.
     */
    private boolean resumeIfKept(InstallSnapshotRequest chunk) throws IOException {
        java.util.Optional<io.ringraft.spi.PartialSnapshot> kept = snapshotStore.partial();
        if (kept.isEmpty() || !kept.get().continuedBy(chunk.snapshot(), chunk.from(), chunk.term())) {
            return false;
        }
        io.ringraft.spi.PartialSnapshot partial = kept.get();
        try {
            sink = snapshotStore.resume(partial);
        } catch (IOException e) {
            LOG.warn("node {} of group {} cannot resume snapshot {} at byte {}; starting it over: {}", selfId,
                    groupId, partial.last(), partial.durableBytes(), e.toString());
            return false;
        }
        receiving(chunk, partial.durableBytes());
        LOG.info("node {} of group {} resumes receiving snapshot {} from node {} at byte {} (kept across a restart)",
                selfId, groupId, receiving, chunk.from(), received);
        return true;
    }

    /** Records the transfer {@code chunk} belongs to as under way, with {@code bytes} of it held. */
    private void receiving(InstallSnapshotRequest chunk, long bytes) {
        receiving = chunk.snapshot();
        receivingTerm = chunk.term();
        received = bytes;
        checkpointed = bytes;
        receivingSince = nanoClock.getAsLong();
    }

    private void answer(InstallSnapshotRequest chunk, long nextOffset) {
        try {
            transport.send(InstallSnapshotResponse.progress(selfId, chunk.from(), chunk.term(),
                    chunk.snapshot(), nextOffset));
        } catch (RuntimeException e) {
            LOG.debug("cannot answer snapshot chunk from node {}: {}", chunk.from(), e.toString());
        }
    }

    /** Drops a transfer in progress (its data was never committed). */
    void abandon() throws IOException {
        if (sink != null) {
            SnapshotSink open = sink;
            sink = null;
            receiving = null;
            open.close();
        }
    }
}
