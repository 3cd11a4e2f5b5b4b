package io.ringraft.spi;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One snapshot being written into a {@link SnapshotStore}: write its data to {@link #data()}, then
 * {@link #commit()}. Until {@code commit} returns the snapshot is invisible, and a crash leaves at
 * most leftovers the store removes when it is opened again. {@link #close()} without a commit
 * abandons it.
 *
 * <p>Used by one thread: RingRaft's snapshot task (a local snapshot) or its applier (a snapshot
 * received from the leader). Every method may block on IO.
 */
public interface SnapshotSink extends AutoCloseable {

    /** {@return where the data goes} Closing this stream does nothing; commit or close the sink. */
    OutputStream data();

    /**
     * Makes the data written so far durable, for a sink of {@link SnapshotStore#beginReceiving}: after a
     * crash, {@link SnapshotStore#partial()} reports at least these bytes, so the transfer resumes there.
     * RingRaft calls it every few MiB of a transfer. By default nothing (a store that cannot resume).
     *
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    default void checkpoint() throws IOException {
    }

    /**
     * Makes the snapshot durable and visible, atomically: after a crash it is either there completely
     * or not at all. Tried once: if it throws, the sink is finished and the snapshot may or may not be
     * visible after a restart (never partially), so RingRaft purges nothing on its account.
     *
     * @return the committed snapshot
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    SnapshotInfo commit() throws IOException;

    /** Abandons the snapshot unless it was committed. Idempotent. */
    @Override
    void close() throws IOException;
}
