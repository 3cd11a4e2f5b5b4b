package io.ringraft.storage;

import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Write-behind for a log that runs without fsync ({@code unsafeNoFsync}): every {@link #STEP_BYTES}
 * appended to the tail segment, the segment's data is forced on the preparer thread, off the append
 * path. A segment's seal must force its whole file before the next segment exists (so that the files
 * stay recoverable after a power loss); without this, that force met 32 MiB of dirty pages and held the
 * log writer for tens of milliseconds once per segment (issue 19's tail with fsync off). With it, the
 * seal finds at most about one step left.
 *
 * <p>Owned by one {@link SegmentedLogStorage}: {@link #appended} is called on its writing thread, the
 * force runs on the executor. At most one force is queued or running at a time, so the executor holds
 * at most one task of this storage. A force that fails is kept and reported by the next {@link #appended}
 * or {@link #check} (the storage then fail-stops: an fsync error is reported once per file, so the seal's
 * own force might not see it again). A force that finds its file closed (the segment was purged, or the
 * storage closed) did nothing that matters and is ignored. It makes nothing durable that the log relies
 * on: the stable offset that recovery trusts does not move.
 */
final class WriteBehind {

    /** Bytes appended between two background forces. */
    static final long STEP_BYTES = 1 << 20;

    private final Executor executor;
    private volatile boolean pending;
    private volatile IOException failed;
    /** The segment and offset up to which a force was last asked for (writing thread only). */
    private Segment askedFor;
    private long askedUpTo;

    WriteBehind(Executor executor) {
        this.executor = executor;
    }

    /**
     * Notes that {@code tail} now holds data up to its write position; asks for a background force once
     * a step's worth was appended since the last one, unless one is still under way.
     *
     * @throws IOException the failure of an earlier background force
     */
    void appended(Segment tail) throws IOException {
        check();
        if (tail != askedFor) {
            askedFor = tail;
            askedUpTo = tail.stableOffset;
        }
        if (tail.writePosition - askedUpTo < STEP_BYTES || pending) {
            return;
        }
        askedUpTo = tail.writePosition;
        FileHandle file = tail.file;
        pending = true;
        try {
            executor.execute(() -> force(file));
        } catch (RejectedExecutionException e) {
            pending = false; // the executor is shut down: the seal forces everything anyway
        }
    }

    /** @throws IOException the failure of an earlier background force, if any */
    void check() throws IOException {
        IOException failure = failed;
        if (failure != null) {
            throw new IOException("a background force of the log (unsafeNoFsync write-behind) failed: "
                    + failure.getMessage(), failure);
        }
    }

    private void force(FileHandle file) {
        try {
            file.force(false);
        } catch (ClosedChannelException e) {
            // purged or closed meanwhile: nothing left to make durable
        } catch (IOException e) {
            failed = e;
        } catch (RuntimeException e) {
            failed = new IOException(e.toString(), e);
        } finally {
            pending = false;
        }
    }
}
