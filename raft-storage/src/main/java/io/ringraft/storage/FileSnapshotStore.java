package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.NioFileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} in a directory: snapshots of a state machine, each made visible atomically
 * and kept by a retention policy (the newest {@code retain} ones).
 *
 * <pre>{@code
 * FileSnapshotStore store = FileSnapshotStore.open(dir.resolve("snapshots"), clusterId, groupId, nodeId, 2);
 * try (SnapshotWriter writer = store.begin(appliedLogId, membershipBytes)) {
 *     stateMachine.writeTo(writer.data());
 *     writer.commit();
 * }
 * storage.purgePrefix(appliedLogId.index());   // only after the commit returned
 * ...
 * Optional<SnapshotInfo> latest = store.latest();
 * try (InputStream in = store.open(latest.get())) { stateMachine.restore(in); }
 * }</pre>
 *
 * <p><b>Who calls it, on which thread.</b> RingRaft's runtime, through the {@link SnapshotStore}
 * SPI (or an application directly). {@link #begin} and the returned writer's methods from one
 * thread at a time: the node's snapshot task for a local snapshot, its applier for a snapshot
 * received from the leader. {@link #latest}, {@link #list} and {@link #open(SnapshotInfo)} from any
 * thread, also while a snapshot is being written (a replicator streams a snapshot to a follower
 * while a newer one is taken). The store's bookkeeping is guarded by its monitor, which is held
 * during a commit's renames and {@code fsync}s (so {@code latest} may wait for a commit to finish)
 * but never while data is written or read.
 *
 * <p><b>What blocks.</b> {@link #open(Path, long, long, long, int)} lists the directory and reads every
 * metadata file; {@link #begin} creates a file; writing data blocks on file IO (64 KiB at a time); a
 * commit forces the data and the directory and replaces the metadata file (four {@code fsync}s, one
 * more if retention deletes a snapshot); {@link #open(SnapshotInfo)} opens the data file and its
 * stream reads it. {@link #latest} and {@link #list} do no IO (they may wait for a commit).
 *
 * <p><b>Guarantees (crash safety).</b> A snapshot is written to {@code snapshot-<index>-<term>.data.tmp},
 * forced, renamed to {@code .data}; then its metadata (last LogId, membership, data size and CRC32C)
 * is written last, atomically ({@code .meta}, via temporary file, force, rename, directory force). A
 * snapshot exists exactly when its metadata does, so it is durable and visible when
 * {@link SnapshotWriter#commit()} returns, and a crash at any point leaves the previous snapshots and,
 * at most, leftovers that {@link #open(Path, long, long, long, int)} deletes. Retention deletes a snapshot's
 * metadata before its data. Purge the log up to a snapshot only after its commit returned; then
 * every entry is in the newest snapshot or in the log, whatever the crash (catalogue D38).
 *
 * <p><b>Resuming a received snapshot.</b> A snapshot received from a leader ({@link #beginReceiving}) is
 * written to {@code received.data}; each {@link SnapshotWriter#checkpoint()} forces it and atomically
 * rewrites {@code received.meta} (snapshot, leader, term, durable length and its CRC32C). After a crash,
 * {@link #partial()} reports the checkpoint and {@link #resume} re-reads the durable bytes against the CRC,
 * cuts what follows them and continues. A {@code received.data} with no checkpoint is deleted at open;
 * starting another received snapshot, abandoning it or committing it drops both files.
 *
 * <p><b>Failure.</b> Damaged metadata, a data file of the wrong size, or data failing its size or
 * CRC32C check at the end of a stream is a {@link CorruptStorageException}; files of another
 * cluster or group, of another node's directory, or of a newer format an
 * {@link IncompatibleStorageException}. A writer whose data
 * write or commit failed can only be abandoned (a failed {@code fsync} is never retried).
 */
public final class FileSnapshotStore implements SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);

    private final FileIo io;
    private final Path directory;
    private final StorageIdentity identity;
    private final int retain;
    private final Closeable directoryLock;
    /** Committed snapshots by last index; guarded by this. */
    private final TreeMap<Long, SnapshotMeta> snapshots = new TreeMap<>();
    private boolean closed;

    private FileSnapshotStore(FileIo io, Path directory, StorageIdentity identity, int retain, Closeable lock) {
        this.io = io;
        this.directory = directory;
        this.identity = identity;
        this.retain = retain;
        this.directoryLock = lock;
    }

    /**
     * Opens (creating if needed) the snapshot directory {@code directory} of node {@code nodeId}, which
     * must not be a log directory: checks that it belongs to this node (recording the node when it is
     * first opened, see {@link SegmentedLogStorage.Builder#nodeId(long)}), deletes leftovers of
     * interrupted snapshots and checks every snapshot's metadata.
     *
     * @param directory the snapshot directory (created if missing)
     * @param clusterId the cluster, as given to the log storage
     * @param groupId   the Raft group, as given to the log storage
     * @param nodeId    the node (positive), as given to the log storage
     * @param retain    how many committed snapshots to keep (at least 1); older ones are deleted after a commit
     * @return the opened store
     * @throws CorruptStorageException      if metadata is damaged or a snapshot's data is missing or of the wrong size
     * @throws IncompatibleStorageException if the directory belongs to another node, a snapshot to another
     *                                      cluster or group, or a file is of a newer format
     */
    public static FileSnapshotStore open(Path directory, long clusterId, long groupId, long nodeId, int retain)
            throws IOException {
        return open(NioFileIo.INSTANCE, directory, clusterId, groupId, nodeId, retain);
    }

    static FileSnapshotStore open(FileIo io, Path directory, long clusterId, long groupId, long nodeId, int retain)
            throws IOException {
        Objects.requireNonNull(directory, "directory");
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        if (nodeId <= 0) {
            throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
        }
        io.createDirectories(directory);
        Closeable lock = io.lockDirectory(directory);
        StorageIdentity identity = new StorageIdentity(clusterId, groupId);
        FileSnapshotStore store = new FileSnapshotStore(io, directory, identity, retain, lock);
        try {
            boolean owned = IdentityFile.check(io, directory, identity, nodeId);
            store.recover();
            if (!owned) {
                IdentityFile.record(io, directory, identity, nodeId, !store.snapshots.isEmpty(), LOG);
            }
        } catch (IOException | RuntimeException e) {
            SegmentFiles.closeQuietly(lock, e);
            throw e;
        }
        return store;
    }

    private void recover() throws IOException {
        Map<LogId, Boolean> hasMeta = new HashMap<>();
        for (String name : io.list(directory)) {
            if (name.endsWith(AtomicFile.TEMP_SUFFIX)) {
                io.delete(directory.resolve(name));
                continue;
            }
            LogId id = SnapshotFiles.parse(name);
            if (id != null) {
                hasMeta.merge(id, name.endsWith(SnapshotFiles.META_SUFFIX), Boolean::logicalOr);
            }
        }
        if (!io.exists(directory.resolve(SnapshotFiles.RECEIVED_META))) {
            io.delete(directory.resolve(SnapshotFiles.RECEIVED_DATA)); // a transfer never checkpointed
        }
        for (Map.Entry<LogId, Boolean> entry : hasMeta.entrySet()) {
            String stem = SnapshotFiles.stem(entry.getKey());
            Path data = directory.resolve(stem + SnapshotFiles.DATA_SUFFIX);
            if (!entry.getValue()) {
                io.delete(data); // committed data whose metadata never got written, or was deleted first
                continue;
            }
            Path metaFile = directory.resolve(stem + SnapshotFiles.META_SUFFIX);
            SnapshotMeta meta = SnapshotFiles.decodeMeta(AtomicFile.readAll(io, metaFile), metaFile, identity);
            LogId last = meta.info().last();
            if (!last.equals(entry.getKey())) {
                throw new CorruptStorageException(metaFile, -1, "describes snapshot " + last
                        + ", not the one its name says");
            }
            if (!io.exists(data)) {
                throw new CorruptStorageException(data, -1, "is missing, but its metadata " + metaFile.getFileName()
                        + " exists");
            }
            try (FileHandle file = io.open(data, false)) {
                if (file.size() != meta.info().sizeBytes()) {
                    throw new CorruptStorageException(data, -1, "holds " + file.size() + " bytes, but its metadata says "
                            + meta.info().sizeBytes());
                }
            }
            snapshots.put(last.index(), meta);
        }
        io.forceDirectory(directory);
    }

    /**
     * Starts a snapshot of the state that includes every entry up to {@code last}: creates its
     * temporary data file.
     *
     * @param membership the membership as of {@code last}, encoded by the caller (kept as is)
     */
    @Override
    public synchronized SnapshotWriter begin(LogId last, byte[] membership) throws IOException {
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(membership, "membership");
        checkOpen();
        Path temp = directory.resolve(SnapshotFiles.stem(last) + SnapshotFiles.DATA_SUFFIX + AtomicFile.TEMP_SUFFIX);
        FileHandle file = io.open(temp, true);
        try {
            file.truncate(0);
        } catch (IOException | RuntimeException e) {
            SegmentFiles.closeQuietly(file, e);
            throw e;
        }
        return new SnapshotWriter(this, last, membership, temp, file);
    }

    /**
     * Starts a snapshot received from leader {@code leaderId} in {@code leaderTerm}, in
     * {@code received.data}; drops any received snapshot kept before. Its writer's
     * {@link SnapshotWriter#checkpoint()} makes it resumable after a crash.
     */
    @Override
    public synchronized SnapshotWriter beginReceiving(LogId last, byte[] membership, long leaderId, long leaderTerm)
            throws IOException {
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(membership, "membership");
        checkOpen();
        dropReceived();
        Path data = directory.resolve(SnapshotFiles.RECEIVED_DATA);
        FileHandle file = io.open(data, true);
        try {
            file.truncate(0);
        } catch (IOException | RuntimeException e) {
            SegmentFiles.closeQuietly(file, e);
            throw e;
        }
        return new SnapshotWriter(this, last, membership, data, file, new long[] {leaderId, leaderTerm}, 0,
                new java.util.zip.CRC32C());
    }

    /**
     * The received snapshot an earlier run checkpointed, if any: read from {@code received.meta}. A
     * checkpoint whose data file is missing or shorter than it says (a crash between committing the
     * snapshot and deleting the checkpoint, or damage) is dropped. Reads one small file.
     */
    @Override
    public synchronized Optional<io.ringraft.spi.PartialSnapshot> partial() throws IOException {
        checkOpen();
        SnapshotFiles.Received kept = readReceived();
        return kept == null ? Optional.empty() : Optional.of(kept.partial());
    }

    /**
     * Continues {@code partial}: re-reads its durable bytes to check them against the checkpoint's
     * CRC32C (and to carry the CRC on), cuts whatever a crash left after them, and returns a writer
     * positioned there. Damaged data is dropped and reported as a {@link CorruptStorageException}
     * (the caller starts the transfer over). Reads the durable part once.
     */
    @Override
    public synchronized SnapshotWriter resume(io.ringraft.spi.PartialSnapshot partial) throws IOException {
        checkOpen();
        SnapshotFiles.Received kept = readReceived();
        if (kept == null || !kept.partial().continuedBy(partial.last(), partial.leaderId(), partial.leaderTerm())
                || kept.partial().durableBytes() != partial.durableBytes()) {
            throw new IOException("no received snapshot " + partial.last() + " from node " + partial.leaderId()
                    + " in term " + partial.leaderTerm() + " is kept in " + directory);
        }
        Path data = directory.resolve(SnapshotFiles.RECEIVED_DATA);
        FileHandle file = io.open(data, false);
        try {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long position = 0;
            long durable = partial.durableBytes();
            while (position < durable) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), durable - position));
                int n = file.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                crc.update(buffer.array(), 0, n);
                position += n;
            }
            if (position != durable || (int) crc.getValue() != kept.crc()) {
                throw new CorruptStorageException(data, -1, "the received snapshot's " + durable + " checkpointed bytes"
                        + " fail their check (read " + position + " bytes)");
            }
            file.truncate(durable);
            return new SnapshotWriter(this, partial.last(), partial.membership(), data, file,
                    new long[] {partial.leaderId(), partial.leaderTerm()}, durable, crc);
        } catch (IOException | RuntimeException e) {
            SegmentFiles.closeQuietly(file, e);
            SegmentFiles.closeQuietly(this::dropReceived, e);
            throw e;
        }
    }

    /** Records a received snapshot's durable part (called by {@link SnapshotWriter#checkpoint()}). */
    synchronized void checkpointReceived(io.ringraft.spi.PartialSnapshot partial, int crc) throws IOException {
        checkOpen();
        AtomicFile.replace(io, directory, SnapshotFiles.RECEIVED_META, SnapshotFiles.encodeReceived(identity, partial, crc));
    }

    /** The kept received snapshot's checkpoint, or null (dropping one whose data is missing or short). */
    private SnapshotFiles.Received readReceived() throws IOException {
        Path metaFile = directory.resolve(SnapshotFiles.RECEIVED_META);
        if (!io.exists(metaFile)) {
            return null;
        }
        SnapshotFiles.Received kept = SnapshotFiles.decodeReceived(AtomicFile.readAll(io, metaFile), metaFile, identity);
        Path data = directory.resolve(SnapshotFiles.RECEIVED_DATA);
        long size = -1;
        if (io.exists(data)) {
            try (FileHandle file = io.open(data, false)) {
                size = file.size();
            }
        }
        if (size < kept.partial().durableBytes()) {
            LOG.warn("dropping the received snapshot checkpoint in {}: its data holds {} bytes of the {} it records",
                    directory, Math.max(0, size), kept.partial().durableBytes());
            dropReceived();
            return null;
        }
        return kept;
    }

    /** Deletes the received snapshot's checkpoint (first: it then no longer counts) and data. */
    private void dropReceived() throws IOException {
        io.delete(directory.resolve(SnapshotFiles.RECEIVED_META));
        io.forceDirectory(directory);
        io.delete(directory.resolve(SnapshotFiles.RECEIVED_DATA));
    }

    /** Makes a written snapshot visible (called by {@link SnapshotWriter#commit()}). */
    synchronized SnapshotInfo publish(SnapshotMeta meta, Path tempData) throws IOException {
        checkOpen();
        LogId last = meta.info().last();
        SnapshotMeta existing = snapshots.get(last.index());
        boolean received = tempData.getFileName().toString().equals(SnapshotFiles.RECEIVED_DATA);
        if (existing != null && existing.info().last().equals(last)) {
            if (received) {
                dropReceived();
            } else {
                io.delete(tempData);
            }
            return existing.info();
        }
        String stem = SnapshotFiles.stem(last);
        io.rename(tempData, directory.resolve(stem + SnapshotFiles.DATA_SUFFIX));
        io.forceDirectory(directory);
        AtomicFile.replace(io, directory, stem + SnapshotFiles.META_SUFFIX, SnapshotFiles.encodeMeta(identity, meta));
        snapshots.put(last.index(), meta);
        if (received) {
            io.delete(directory.resolve(SnapshotFiles.RECEIVED_META)); // the transfer is done
        }
        try {
            applyRetention();
        } catch (IOException e) {
            // The snapshot is committed; leftovers are deleted by the next commit's retention or open.
            LOG.warn("snapshot {} committed, but deleting older snapshots in {} failed", last, directory, e);
        }
        return meta.info();
    }

    /** Deletes the temporary data of an abandoned snapshot (and a received one's checkpoint). */
    synchronized void abandon(Path tempData) throws IOException {
        if (tempData.getFileName().toString().equals(SnapshotFiles.RECEIVED_DATA)) {
            dropReceived();
        } else {
            io.delete(tempData);
        }
    }

    private void applyRetention() throws IOException {
        while (snapshots.size() > retain) {
            SnapshotMeta oldest = snapshots.pollFirstEntry().getValue();
            String stem = SnapshotFiles.stem(oldest.info().last());
            io.delete(directory.resolve(stem + SnapshotFiles.META_SUFFIX));
            io.forceDirectory(directory); // the snapshot is gone before its data is
            io.delete(directory.resolve(stem + SnapshotFiles.DATA_SUFFIX));
        }
    }

    /** The newest committed snapshot (highest last index), if any. No IO. */
    @Override
    public synchronized Optional<SnapshotInfo> latest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.lastEntry().getValue().info());
    }

    /** {@return every committed snapshot, oldest first} No IO. */
    public synchronized List<SnapshotInfo> list() {
        List<SnapshotInfo> all = new ArrayList<>(snapshots.size());
        for (SnapshotMeta meta : snapshots.values()) {
            all.add(meta.info());
        }
        return all;
    }

    /**
     * Opens a committed snapshot's data, from the start. The stream checks the size and CRC32C
     * recorded in the metadata when it reaches the end, and throws {@link CorruptStorageException} if
     * they differ (rather than ending early); a caller must read to the end before trusting what it
     * read. Retention may delete a snapshot that is being read on platforms that forbid deleting
     * open files; keep {@code retain} above 1 if snapshots are read while new ones are committed.
     *
     * @throws IOException if {@code snapshot} is not (or no longer) in the store, or its data cannot
     *                     be opened
     */
    @Override
    public InputStream open(SnapshotInfo snapshot) throws IOException {
        Objects.requireNonNull(snapshot, "snapshot");
        Path data;
        SnapshotMeta meta;
        synchronized (this) {
            checkOpen();
            meta = snapshots.get(snapshot.last().index());
            if (meta == null || !meta.info().equals(snapshot)) {
                throw new IOException("snapshot " + snapshot.last() + " is not in the store (deleted by retention?)");
            }
            data = directory.resolve(SnapshotFiles.stem(snapshot.last()) + SnapshotFiles.DATA_SUFFIX);
        }
        return new CheckedInput(io.open(data, false), data, meta);
    }

    /** Releases the directory lock. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            directoryLock.close();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("snapshot store in " + directory + " is closed");
        }
    }

    /** Reads a snapshot's data and checks its size and CRC at the end. */
    private static final class CheckedInput extends InputStream {
        private final FileHandle file;
        private final Path path;
        private final SnapshotMeta meta;
        private final CRC32C crc = new CRC32C();
        private long position;
        private boolean verified;

        CheckedInput(FileHandle file, Path path, SnapshotMeta meta) {
            this.file = file;
            this.path = path;
            this.meta = meta;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            int n = file.read(ByteBuffer.wrap(bytes, offset, length), position);
            if (n <= 0) {
                verify();
                return -1;
            }
            crc.update(bytes, offset, n);
            position += n;
            return n;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            if (position != meta.info().sizeBytes() || (int) crc.getValue() != meta.dataCrc()) {
                throw new CorruptStorageException(path, -1, "snapshot data of " + position + " bytes fails its"
                        + " check (metadata says " + meta.info().sizeBytes() + " bytes with CRC32C 0x"
                        + Integer.toHexString(meta.dataCrc()) + ")");
            }
            verified = true;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
