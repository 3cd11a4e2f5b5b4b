package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.runtime.NodeShutdown;
import io.ringraft.internal.runtime.StateMachineCalls;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import io.ringraft.spi.SnapshotStore;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot task: writes the state the applier captured (a {@link SnapshotJob}) into the snapshot
 * store, commits it, and publishes it as the newest durable snapshot ({@code latestSnapshot}; the
 * core then lets the log writer purge the log below it), waking the core and the applier. One
 * snapshot at a time: the applier captures the next only after this one is written.
 *
 * <p>Runs on its own thread (or a shared one, or the simulator's) and blocks on the state machine's
 * {@code writeTo} and the store's IO while the applier goes on applying. A failure to write or commit
 * stops the node (fail-stop): after a failed write the store's state is unknown, and the log was not
 * purged on the snapshot's account, so nothing is lost. The failure is the state machine's
 * ({@code StateMachineFailedException}) if {@code writeTo} threw on its own account, a storage failure
 * otherwise ({@link StateMachineCalls#writeSnapshot}).
 */
public final class SnapshotTask implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTask.class);

    private final long groupId;
    private final long selfId;
    private final LongSupplier nanoClock;
    private final SnapshotStore snapshotStore;
    private final AtomicReference<SnapshotJob> snapshotJob;
    private final AtomicReference<SnapshotInfo> latestSnapshot;
    private final Signal coreSignal;
    private final Signal applierSignal;
    private final StopState stop;
    private final NodeShutdown shutdown;
    private final io.ringraft.spi.RaftMetrics metrics;

    public SnapshotTask(long groupId, long selfId, LongSupplier nanoClock, SnapshotStore snapshotStore,
                 AtomicReference<SnapshotJob> snapshotJob, AtomicReference<SnapshotInfo> latestSnapshot,
                 Signal coreSignal, Signal applierSignal, StopState stop, NodeShutdown shutdown,
                 io.ringraft.spi.RaftMetrics metrics) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.nanoClock = nanoClock;
        this.snapshotStore = snapshotStore;
        this.snapshotJob = snapshotJob;
        this.latestSnapshot = latestSnapshot;
        this.coreSignal = coreSignal;
        this.applierSignal = applierSignal;
        this.stop = stop;
        this.shutdown = shutdown;
        this.metrics = metrics;
    }

    /** The newer of two snapshots (by last index); either may be null. */
    static SnapshotInfo newer(SnapshotInfo a, SnapshotInfo b) {
        if (a == null) {
            return b;
        }
        return b == null || a.last().index() >= b.last().index() ? a : b;
    }

    @Override
    public String roleName() {
        return "ringraft-snapshot-" + groupId + "-" + selfId;
    }

    @Override
    public int doWork() {
        if (stop.stopped()) {
            shutdown.taskStopped(NodeShutdown.SNAPSHOTS); // it reports what is pending once every task stopped
            return 0;
        }
        SnapshotJob job = snapshotJob.get();
        if (job == null) {
            return 0;
        }
        SnapshotInfo info;
        long started = nanoClock.getAsLong();
        try (SnapshotSink sink = snapshotStore.begin(job.last(), job.membership())) {
            StateMachineCalls.writeSnapshot(job.view(), sink.data(), selfId, "snapshot " + job.last());
            info = sink.commit();
        } catch (IOException | RuntimeException e) {
            stop.fail(e instanceof io.ringraft.api.StateMachineFailedException ? e
                    : new IOException("writing snapshot " + job.last() + " failed: " + e.getMessage(), e));
            snapshotJob.compareAndSet(job, null); // reported here, not again by the shutdown
            if (job.requested() != null) {
                job.requested().completeExceptionally(e);
            }
            return 1;
        }
        long took = nanoClock.getAsLong() - started;
        LOG.info("node {} of group {} took snapshot {} ({} bytes, {} ms)", selfId, groupId, info.last(),
                info.sizeBytes(), took / 1_000_000);
        metrics.snapshotTaken(took, info.sizeBytes());
        latestSnapshot.accumulateAndGet(info, SnapshotTask::newer);
        snapshotJob.set(null);
        if (job.requested() != null) {
            job.requested().complete(info.last());
        }
        coreSignal.wake();
        applierSignal.wake();
        return 1;
    }
}
