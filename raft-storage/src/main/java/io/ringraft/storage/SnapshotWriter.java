package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One snapshot being written into a {@link FileSnapshotStore}, its {@link SnapshotSink}: write the
 * state machine's state to {@link #data()}, then {@link #commit()}. Until the commit returns the
 * snapshot is invisible, and a crash leaves nothing but a temporary file that the next open deletes.
 * {@link #close()} without a commit abandons it.
 *
 * <p>Used by one thread: RingRaft's snapshot task (a local snapshot) or its applier (a snapshot
 * received from the leader), or an application taking snapshots itself. Writes block on file IO
 * (the data is buffered, 64 KiB at a time); {@code commit} blocks on four {@code fsync}s. If
 * {@code commit} throws, the snapshot may or may not be there after a restart (the failure may have
 * hit after its metadata was renamed into place), but it is never there partially: a caller must not
 * purge the log up to it.
 *
 * <p>A writer of a snapshot received from a leader ({@link FileSnapshotStore#beginReceiving}) writes to
 * {@code received.data} and can {@link #checkpoint()}: the bytes written so far are forced and recorded,
 * so after a crash {@link FileSnapshotStore#partial()} reports them and {@link FileSnapshotStore#resume}
 * continues after them.
 */
public final class SnapshotWriter implements SnapshotSink {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final FileSnapshotStore store;
    private final LogId last;
    private final byte[] membership;
    private final Path tempData;
    private final FileHandle file;
    private final CRC32C crc;
    /** The leader and term of a received snapshot ({@code null} for a local one). */
    private final long[] source;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final DataStream stream = new DataStream();
    private long written;
    private boolean finished;
    /** The first failed write of the data; the snapshot can then only be abandoned. */
    private IOException failure;

    SnapshotWriter(FileSnapshotStore store, LogId last, byte[] membership, Path tempData, FileHandle file) {
        this(store, last, membership, tempData, file, null, 0, new CRC32C());
    }

    /**
     * A writer holding {@code written} bytes already (with CRC32C state {@code crc}).
     *
     * @param source the leader and term of a received snapshot, or null for a local one
     */
    SnapshotWriter(FileSnapshotStore store, LogId last, byte[] membership, Path tempData, FileHandle file,
                   long[] source, long written, CRC32C crc) {
        this.store = store;
        this.last = last;
        this.membership = membership.clone();
        this.tempData = tempData;
        this.file = file;
        this.source = source;
        this.written = written;
        this.crc = crc;
    }

    /** {@return the entry the snapshot covers up to} */
    public LogId last() {
        return last;
    }

    /**
     * Where the snapshot's data goes. Closing the stream does nothing (commit or close this writer).
     * Not thread-safe.
     */
    @Override
    public OutputStream data() {
        return stream;
    }

    /**
     * Makes the snapshot durable and visible: forces the data, renames it to its real name, writes
     * the metadata (last LogId, membership, data size and CRC32C) last and atomically, then applies the
     * store's retention. If a snapshot of the same {@link #last()} is already committed, this one is
     * dropped and the existing one returned. A commit is tried once: if it throws, the writer is
     * finished (a failed write or force abandons the snapshot; it is never retried).
     *
     * @return the committed snapshot
     */
    @Override
    public SnapshotInfo commit() throws IOException {
        if (finished) {
            throw new IllegalStateException("snapshot " + last + " was already committed or abandoned");
        }
        if (failure != null) {
            throw new IOException("snapshot " + last + " cannot be committed: writing its data failed: "
                    + failure.getMessage(), failure);
        }
        // One attempt only: after a failed write or force the data's state is unknown (a retried fsync
        // can succeed without the data), so a failed commit abandons the snapshot.
        finished = true;
        try {
            flushBuffer();
            file.force(true);
        } catch (IOException | RuntimeException e) {
            SegmentFiles.closeQuietly(file, e);
            SegmentFiles.closeQuietly(() -> store.abandon(tempData), e);
            throw e;
        }
        file.close();
        SnapshotMeta meta = new SnapshotMeta(new SnapshotInfo(last, membership, written), (int) crc.getValue());
        return store.publish(meta, tempData);
    }

    /**
     * For a received snapshot: forces the data written so far and records it, atomically, as the
     * transfer's durable part ({@code received.meta}); a crash then keeps it for
     * {@link FileSnapshotStore#resume}. Nothing for a local snapshot. A failed checkpoint finishes
     * nothing: the node stops on it anyway (fail-stop).
     */
    @Override
    public void checkpoint() throws IOException {
        if (source == null || finished) {
            return;
        }
        if (failure != null) {
            throw new IOException("snapshot " + last + " failed earlier: " + failure.getMessage(), failure);
        }
        flushBuffer();
        file.force(false);
        store.checkpointReceived(new io.ringraft.spi.PartialSnapshot(last, membership, source[0], source[1], written),
                (int) crc.getValue());
    }

    /** Abandons the snapshot unless it was committed: deletes its temporary data. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            finished = true;
            file.close();
            store.abandon(tempData);
        }
    }

    private void flushBuffer() throws IOException {
        buffer.flip();
        int length = buffer.remaining();
        if (length > 0) {
            try {
                file.write(buffer, written);
            } catch (IOException | RuntimeException e) {
                // What reached the file is unknown: the snapshot can only be abandoned.
                failure = e instanceof IOException io ? io : new IOException(e);
                throw e;
            }
            crc.update(buffer.array(), 0, length);
            written += length;
        }
        buffer.clear();
    }

    /** The data stream: buffers, then writes at the end of what was written. */
    private final class DataStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            checkOpen();
            if (!buffer.hasRemaining()) {
                flushBuffer();
            }
            buffer.put((byte) b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            checkOpen();
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            while (length > 0) {
                if (!buffer.hasRemaining()) {
                    flushBuffer();
                }
                int n = Math.min(length, buffer.remaining());
                buffer.put(bytes, offset, n);
                offset += n;
                length -= n;
            }
        }

        private void checkOpen() throws IOException {
            if (finished) {
                throw new IOException("snapshot " + last + " was already committed or abandoned");
            }
            if (failure != null) {
                throw new IOException("snapshot " + last + " failed earlier: " + failure.getMessage(), failure);
            }
        }
    }
}
