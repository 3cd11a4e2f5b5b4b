package io.ringraft.internal.runtime;

import io.ringraft.api.LogId;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of snapshot transfer, run by the applier: writes the chunks a leader sends
 * (queued by the core after the engine's term checks) into the snapshot store, in order, answering
 * each with the offset it wants next; commits the snapshot with the last chunk, restores the state
 * machine from it if it is ahead of what was applied, and hands it to the core
 * ({@link NodeContext#installedSnapshot}), which moves the engine's log onto it.
 *
 * <p>Crash safety: the snapshot becomes visible only when the store commits it, so a crash during the
 * transfer leaves no partial snapshot; at restart the node restores the newest committed snapshot and
 * reconciles its log with it, so a crash after the commit but before the log was reset is harmless.
 * A transfer interrupted by a new leader or a newer snapshot is abandoned when the first chunk of the
 * new one arrives. Memory: one transfer's sink at a time.
 */
final class SnapshotInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotInstaller.class);

    /** What the applier does once a snapshot is restored. */
    interface Restored {
        void restored(SnapshotInfo snapshot);
    }

    private final NodeContext ctx;
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
    /** When the first chunk of the snapshot being received arrived. */
    private long receivingSince;

    SnapshotInstaller(NodeContext ctx, java.util.function.LongSupplier applied, Restored restored,
                      java.util.function.BooleanSupplier mayRestore) {
        this.ctx = ctx;
        this.applied = applied;
        this.restored = restored;
        this.mayRestore = mayRestore;
    }

    /**
     * Handles the chunks waiting; returns how many. A last chunk (which may restore the state machine)
     * is left queued while {@code mayRestore} is false; {@link #restoreWaiting()} then says so.
     */
    int poll() throws IOException {
        int work = 0;
        restoreWaiting = false;
        InstallSnapshotRequest chunk;
        while (work < NodeContext.SNAPSHOT_CHUNK_QUEUE && (chunk = ctx.snapshotChunks.peek()) != null) {
            if (chunk.done() && !mayRestore.getAsBoolean()) {
                restoreWaiting = true;
                break;
            }
            ctx.snapshotChunks.poll();
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
        if (ctx.snapshotStore == null) {
            throw new IOException("node " + ctx.selfId + " was sent snapshot " + chunk.snapshot() + " by node "
                    + chunk.from() + " but has no snapshot store to install it: configure one on every node");
        }
        boolean current = sink != null && chunk.snapshot().equals(receiving) && chunk.term() == receivingTerm;
        if (chunk.offset() == 0 && !current) {
            abandon();
            sink = ctx.snapshotStore.begin(chunk.snapshot(), chunk.membership());
            receiving = chunk.snapshot();
            receivingTerm = chunk.term();
            received = 0;
            receivingSince = ctx.nanoClock.getAsLong();
            LOG.info("node {} of group {} is receiving snapshot {} from node {}", ctx.selfId, ctx.groupId,
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
            answer(chunk, received);
            return;
        }
        SnapshotInfo info = sink.commit();
        sink = null;
        receiving = null;
        LOG.info("node {} of group {} received snapshot {} ({} bytes)", ctx.selfId, ctx.groupId, info.last(),
                info.sizeBytes());
        if (info.last().index() > applied.getAsLong()) {
            try (InputStream in = ctx.snapshotStore.open(info)) {
                ctx.stateMachine.restore(in);
                in.transferTo(OutputStream.nullOutputStream()); // the store verifies the data at its end
            }
            restored.restored(info);
        }
        ctx.metrics.snapshotInstalled(ctx.nanoClock.getAsLong() - receivingSince, info.sizeBytes());
        // The engine answers the leader once it has moved its log onto the snapshot.
        ctx.installedSnapshot.set(info);
        ctx.latestSnapshot.accumulateAndGet(info, NodeContext::newer);
        ctx.coreSignal.wake();
    }

    private void answer(InstallSnapshotRequest chunk, long nextOffset) {
        try {
            ctx.transport.send(InstallSnapshotResponse.progress(ctx.selfId, chunk.from(), chunk.term(),
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
