package io.ringraft.local;

import io.ringraft.api.LogId;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import io.ringraft.spi.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link SnapshotStore} in memory, for tests, simulations and nodes whose state is rebuilt from
 * their peers anyway. A committed snapshot stays as long as this object does: hand the same instance
 * to a restarted node to model a restart after a crash (a sink that was never committed is simply
 * lost, as with a crash). Keeps the newest {@code retain} snapshots.
 *
 * <p>Thread-safe; nothing blocks except on this store's monitor for the short time a map is
 * updated. Memory: the retained snapshots' data, plus the data of snapshots being written.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

    private final int retain;
    /** Committed snapshots by last index; guarded by this. */
    private final TreeMap<Long, Stored> snapshots = new TreeMap<>();
    private boolean closed;

    /** A store that keeps the newest two snapshots. */
    public InMemorySnapshotStore() {
        this(2);
    }

    /**
     * An empty store that keeps the newest {@code retain} committed snapshots.
     *
     * @param retain how many committed snapshots to keep, at least 1
     */
    public InMemorySnapshotStore(int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        this.retain = retain;
    }

    private record Stored(SnapshotInfo info, byte[] data) {
    }

    @Override
    public synchronized Optional<SnapshotInfo> latest() throws IOException {
        checkOpen();
        Map.Entry<Long, Stored> last = snapshots.lastEntry();
        return last == null ? Optional.empty() : Optional.of(last.getValue().info());
    }

    @Override
    public synchronized SnapshotSink begin(LogId last, byte[] membership) throws IOException {
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(membership, "membership");
        checkOpen();
        return new Sink(last, membership.clone());
    }

    @Override
    public synchronized InputStream open(SnapshotInfo snapshot) throws IOException {
        checkOpen();
        Stored stored = snapshots.get(snapshot.last().index());
        if (stored == null || !stored.info().equals(snapshot)) {
            throw new IOException("snapshot " + snapshot.last() + " is not in the store (deleted by retention?)");
        }
        return new ByteArrayInputStream(stored.data());
    }

    /** Closes the store; its snapshots are kept for {@link #reopen()}. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    /**
     * Makes a closed store usable again (a restarted node opens its store again).
     *
     * @return this store
     */
    public synchronized InMemorySnapshotStore reopen() {
        closed = false;
        return this;
    }

    private synchronized SnapshotInfo publish(SnapshotInfo info, byte[] data) throws IOException {
        checkOpen();
        Stored existing = snapshots.get(info.last().index());
        if (existing != null && existing.info().last().equals(info.last())) {
            return existing.info();
        }
        snapshots.put(info.last().index(), new Stored(info, data));
        while (snapshots.size() > retain) {
            snapshots.pollFirstEntry();
        }
        return info;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("in-memory snapshot store is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return "InMemorySnapshotStore[" + snapshots.size() + " snapshots, newest "
                + (snapshots.isEmpty() ? "none" : snapshots.lastEntry().getValue().info().last()) + "]";
    }

    private final class Sink implements SnapshotSink {
        private final LogId last;
        private final byte[] membership;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final OutputStream data = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                checkWritable();
                buffer.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                checkWritable();
                buffer.write(bytes, offset, length);
            }
        };
        private boolean finished;

        Sink(LogId last, byte[] membership) {
            this.last = last;
            this.membership = membership;
        }

        @Override
        public OutputStream data() {
            return data;
        }

        @Override
        public SnapshotInfo commit() throws IOException {
            checkWritable();
            finished = true;
            byte[] bytes = buffer.toByteArray();
            return publish(new SnapshotInfo(last, membership, bytes.length), bytes);
        }

        @Override
        public void close() {
            finished = true;
        }

        private void checkWritable() throws IOException {
            if (finished) {
                throw new IOException("snapshot " + last + " was already committed or abandoned");
            }
        }
    }
}
