package io.ringraft.internal.runtime;

import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import java.io.IOException;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot task: writes the state the applier captured ({@link NodeContext#snapshotJob}) into
 * the snapshot store, commits it, and publishes it as {@link NodeContext#latestSnapshot} (the core
 * then lets the log writer purge the log below it). One snapshot at a time: the applier captures the
 * next only after this one is written.
 *
 * <p>Runs on its own thread (or a shared one, or the simulator's) and blocks on the state machine's
 * {@code writeTo} and the store's IO while the applier goes on applying. A failure to write or commit
 * stops the node (fail-stop): after a failed write the store's state is unknown, and the log was not
 * purged on the snapshot's account, so nothing is lost.
 */
final class SnapshotTask implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTask.class);

    private final NodeContext ctx;
    private final NodeShutdown shutdown;

    SnapshotTask(NodeContext ctx, NodeShutdown shutdown) {
        this.ctx = ctx;
        this.shutdown = shutdown;
    }

    @Override
    public String roleName() {
        return "ringraft-snapshot-" + ctx.groupId + "-" + ctx.selfId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            shutdown.taskStopped(NodeShutdown.SNAPSHOTS); // it reports what is pending once every task stopped
            return 0;
        }
        NodeContext.SnapshotJob job = ctx.snapshotJob.get();
        if (job == null) {
            return 0;
        }
        SnapshotInfo info;
        long started = ctx.nanoClock.getAsLong();
        try (SnapshotSink sink = ctx.snapshotStore.begin(job.last(), job.membership())) {
            job.view().writeTo(sink.data());
            info = sink.commit();
        } catch (IOException | RuntimeException e) {
            ctx.fail(new IOException("writing snapshot " + job.last() + " failed: " + e.getMessage(), e));
            ctx.snapshotJob.compareAndSet(job, null); // reported here, not again by the shutdown
            if (job.requested() != null) {
                job.requested().completeExceptionally(e);
            }
            return 1;
        }
        long took = ctx.nanoClock.getAsLong() - started;
        LOG.info("node {} of group {} took snapshot {} ({} bytes, {} ms)", ctx.selfId, ctx.groupId, info.last(),
                info.sizeBytes(), took / 1_000_000);
        ctx.metrics.snapshotTaken(took, info.sizeBytes());
        ctx.latestSnapshot.accumulateAndGet(info, NodeContext::newer);
        ctx.snapshotJob.set(null);
        if (job.requested() != null) {
            job.requested().complete(info.last());
        }
        ctx.coreSignal.wake();
        ctx.applierSignal.wake();
        return 1;
    }
}
