package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.storage.FileIo.FileHandle;
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
 * Snapshots of a state machine in a directory, each made visible atomically and kept by a retention
 * policy (the newest {@code retain} ones). A first, deliberately small API: RingRaft's snapshot
 * support (a later issue) will build on it; until then applications may use it directly.
 *
 * <pre>{@code
 * FileSnapshotStore store = FileSnapshotStore.open(dir.resolve("snapshots"), clusterId, groupId, 2);
 * try (SnapshotWriter writer = store.begin(appliedLogId, membershipBytes)) {
 *     stateMachine.writeTo(writer.data());
 *     writer.commit();
 * }
 * storage.purgePrefix(appliedLogId.index());   // only after the commit returned
 * ...
 * Optional<SnapshotMeta> latest = store.latest();
 * try (InputStream in = store.openData(latest.get())) { stateMachine.restore(in); }
 * }</pre>
 *
 * <p><b>Crash safety.</b> A snapshot is written to {@code snapshot-<index>-<term>.data.tmp}, forced,
 * renamed to {@code .data}; then its metadata (last LogId, membership, data size and CRC32C) is written
 * last, atomically ({@code .meta}, via temporary file, force, rename, directory force). A snapshot
 * exists exactly when its metadata does, so a crash at any point leaves the previous snapshots and,
 * at most, leftovers that {@link #open} deletes. Retention deletes a snapshot's metadata before its
 * data. Purge the log up to a snapshot only after {@link SnapshotWriter#commit()} returned; then every
 * entry is in the newest snapshot or in the log, whatever the crash (catalogue D38).
 *
 * <p><b>Threads.</b> {@link #begin} and commits from one thread at a time (whoever takes
 * snapshots); {@link #latest}, {@link #list} and {@link #openData} from any thread. Everything blocks
 * on file IO. Damaged metadata, a data file of the wrong size, or data failing its CRC is a
 * {@link CorruptStorageException}; files of another cluster or a newer format an
 * {@link IncompatibleStorageException}.
 */
public final class FileSnapshotStore implements AutoCloseable {

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
     * Opens (creating if needed) the snapshot directory {@code directory}, which must not be a log
     * directory: deletes leftovers of interrupted snapshots and checks every snapshot's metadata.
     *
     * @param retain how many committed snapshots to keep (at least 1); older ones are deleted after a commit
     * @throws CorruptStorageException      if metadata is damaged or a snapshot's data is missing or of the wrong size
     * @throws IncompatibleStorageException if a snapshot belongs to another cluster/group or a newer format
     */
    public static FileSnapshotStore open(Path directory, long clusterId, long groupId, int retain) throws IOException {
        return open(NioFileIo.INSTANCE, directory, clusterId, groupId, retain);
    }

    static FileSnapshotStore open(FileIo io, Path directory, long clusterId, long groupId, int retain)
            throws IOException {
        Objects.requireNonNull(directory, "directory");
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        io.createDirectories(directory);
        Closeable lock = io.lockDirectory(directory);
        FileSnapshotStore store = new FileSnapshotStore(io, directory, new StorageIdentity(clusterId, groupId), retain,
                lock);
        try {
            store.recover();
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
        for (Map.Entry<LogId, Boolean> entry : hasMeta.entrySet()) {
            String stem = SnapshotFiles.stem(entry.getKey());
            Path data = directory.resolve(stem + SnapshotFiles.DATA_SUFFIX);
            if (!entry.getValue()) {
                io.delete(data); // committed data whose metadata never got written, or was deleted first
                continue;
            }
            Path metaFile = directory.resolve(stem + SnapshotFiles.META_SUFFIX);
            SnapshotMeta meta = SnapshotFiles.decodeMeta(AtomicFile.readAll(io, metaFile), metaFile, identity);
            if (!meta.last().equals(entry.getKey())) {
                throw new CorruptStorageException(metaFile, -1, "describes snapshot " + meta.last()
                        + ", not the one its name says");
            }
            if (!io.exists(data)) {
                throw new CorruptStorageException(data, -1, "is missing, but its metadata " + metaFile.getFileName()
                        + " exists");
            }
            try (FileHandle file = io.open(data, false)) {
                if (file.size() != meta.dataBytes()) {
                    throw new CorruptStorageException(data, -1, "holds " + file.size() + " bytes, but its metadata says "
                            + meta.dataBytes());
                }
            }
            snapshots.put(meta.last().index(), meta);
        }
        io.forceDirectory(directory);
    }

    /**
     * Starts a snapshot of the state that includes every entry up to {@code last}.
     *
     * @param membership the membership as of {@code last}, encoded by the caller (kept as is)
     */
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

    /** Makes a written snapshot visible (called by {@link SnapshotWriter#commit()}). */
    synchronized SnapshotMeta publish(SnapshotMeta meta, Path tempData) throws IOException {
        checkOpen();
        SnapshotMeta existing = snapshots.get(meta.last().index());
        if (existing != null && existing.last().equals(meta.last())) {
            io.delete(tempData);
            return existing;
        }
        String stem = SnapshotFiles.stem(meta.last());
        io.rename(tempData, directory.resolve(stem + SnapshotFiles.DATA_SUFFIX));
        io.forceDirectory(directory);
        AtomicFile.replace(io, directory, stem + SnapshotFiles.META_SUFFIX, SnapshotFiles.encodeMeta(identity, meta));
        snapshots.put(meta.last().index(), meta);
        try {
            applyRetention();
        } catch (IOException e) {
            // The snapshot is committed; leftovers are deleted by the next commit's retention or open.
            LOG.warn("snapshot {} committed, but deleting older snapshots in {} failed", meta.last(), directory, e);
        }
        return meta;
    }

    /** Deletes the temporary data of an abandoned snapshot. */
    synchronized void abandon(Path tempData) throws IOException {
        io.delete(tempData);
    }

    private void applyRetention() throws IOException {
        while (snapshots.size() > retain) {
            SnapshotMeta oldest = snapshots.pollFirstEntry().getValue();
            String stem = SnapshotFiles.stem(oldest.last());
            io.delete(directory.resolve(stem + SnapshotFiles.META_SUFFIX));
            io.forceDirectory(directory); // the snapshot is gone before its data is
            io.delete(directory.resolve(stem + SnapshotFiles.DATA_SUFFIX));
        }
    }

    /** The newest committed snapshot, if any. */
    public synchronized Optional<SnapshotMeta> latest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.lastEntry().getValue());
    }

    /** Every committed snapshot, oldest first. */
    public synchronized List<SnapshotMeta> list() {
        return new ArrayList<>(snapshots.values());
    }

    /**
     * Opens a committed snapshot's data. The stream checks the size and CRC32C recorded in the
     * metadata when it reaches the end, and throws {@link CorruptStorageException} if they differ; a
     * caller must read to the end before trusting what it read. Retention may delete a snapshot that
     * is being read on platforms that forbid deleting open files; keep {@code retain} above 1 if
     * snapshots are read while new ones are committed.
     */
    public InputStream openData(SnapshotMeta meta) throws IOException {
        Path data;
        synchronized (this) {
            checkOpen();
            if (!meta.equals(snapshots.get(meta.last().index()))) {
                throw new IOException("snapshot " + meta.last() + " is not in the store (deleted by retention?)");
            }
            data = directory.resolve(SnapshotFiles.stem(meta.last()) + SnapshotFiles.DATA_SUFFIX);
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
            if (position != meta.dataBytes() || (int) crc.getValue() != meta.dataCrc()) {
                throw new CorruptStorageException(path, -1, "snapshot data of " + position + " bytes fails its"
                        + " check (metadata says " + meta.dataBytes() + " bytes with CRC32C 0x"
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
