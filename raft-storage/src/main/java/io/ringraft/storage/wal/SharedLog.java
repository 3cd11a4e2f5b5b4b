package io.ringraft.storage.wal;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.IncompatibleStorageException;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.NioFileIo;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One write-ahead log for all the Raft groups of a host: every group's entries, truncations, purges,
 * resets and votes go into one stream of files in one directory, and one {@code fdatasync} commits
 * every group that flushed meanwhile (group commit across groups). The file format, recovery and
 * guarantees are in {@code docs/storage.md} ("The shared write-ahead log").
 *
 * <pre>{@code
 * SharedLog wal = SharedLog.builder(Path.of("/var/lib/kv/raft/wal"))
 *         .clusterId(0x5eed).nodeId(1)
 *         .build();                                  // fileBytes 64 MiB, preallocated
 * wal.open();                                        // recovers every group (or the first group's open does)
 * RaftNode node = RaftNode.builder()...logStorage(wal.storageFor(groupId))...build();
 * ...
 * wal.close();                                       // after the groups' nodes stopped
 * }</pre>
 *
 * <p><b>Who calls it, on which thread.</b> The host (or the application) builds one per directory,
 * calls {@link #open()} once (or lets the first group's {@code open} do it), hands
 * {@link #storageFor(long)} to each group's node, and {@link #close()}s it after the nodes stopped.
 * Each group's storage is then driven as the SPI says: its log writer thread changes it and flushes,
 * any thread reads it. Groups run concurrently; {@code storageFor} and {@code groups} are thread-safe.
 * One background thread ({@code ringraft-wal-maintenance}) writes checkpoints and reclaims space.
 *
 * <p><b>What blocks.</b> A change takes the stream's lock to copy its records into the staging
 * buffer that all groups share (when the buffer is full, and every {@code fileBytes} of the stream, also
 * a write, or a roll: seal, {@code fsync}, new file). A flush or vote waits for one write of the staging
 * buffer and one {@code fdatasync}, both shared with every other group flushing then: a round of
 * appends to many groups followed by their flushes costs one {@code write} and one {@code fdatasync}.
 * A read of a record still staged writes the buffer out first. {@link #deleteGroup} waits for one
 * {@code fdatasync}. {@code open} reads the newest checkpoint and the stream after it.
 *
 * <p><b>Guarantees.</b> Per group, those of {@link LogStorage}: appends are readable at once and
 * durable when a later flush returns; the recovered log is the result of a prefix of the group's calls
 * including every one before its last returned flush; a vote is durable when {@code saveVote} returns.
 * Every record carries a CRC32C; a torn tail of the stream (never acknowledged) is cut at recovery,
 * damage to durable records is a {@link CorruptStorageException} naming the file and offset; files of
 * another cluster or node or of a newer format are refused with an
 * {@link IncompatibleStorageException}. A torn or lost write of one group never damages another
 * group's flushed entries (they precede it in the stream). A process crash loses the changes still
 * staged (never a flushed one), unless {@link Builder#writeThrough(boolean)} is on.
 *
 * <p><b>Failure.</b> Fail-stop: after any IO error (a failed write or {@code fsync}, corruption found
 * by a read, a failed checkpoint) every group's storage throws an {@link IOException} saying why;
 * restart to recover from what the disk holds.
 *
 * <p><b>Memory.</b> Per group, 8 bytes per live entry (where its record is) plus its term runs: bounded
 * by the group's live log, which purges bound. Buffers are fixed (a 256 KiB staging buffer, grown only
 * for a record larger than it). Open files: the live WAL files, however many groups there are.
 */
public final class SharedLog implements Closeable {

    /** Default size of a WAL file: 64 MiB. */
    public static final int DEFAULT_FILE_BYTES = 64 << 20;
    /** Smallest file size accepted (files this small only make sense in tests). */
    public static final int MIN_FILE_BYTES = 1024;
    /** Largest file size accepted: 1 GiB. */
    public static final int MAX_FILE_BYTES = 1 << 30;
    /** Default number of files between checkpoints. */
    public static final int DEFAULT_CHECKPOINT_EVERY_FILES = 4;

    private final Path directory;
    private final WalIdentity identity;
    private final long fileBytes;
    private final boolean preallocate;
    private final int checkpointEveryFiles;
    private final boolean background;
    private final FileIo io;

    private final ConcurrentHashMap<Long, GroupState> groups = new ConcurrentHashMap<>();
    private final WalFiles files = new WalFiles();
    private final FailStop failStop;
    private final WalWriter writer;
    private GroupCommit commit;
    private Maintenance maintenance;
    private Closeable directoryLock;
    private boolean opened;
    private boolean closed;

    private SharedLog(Builder builder) {
        this.directory = builder.directory;
        this.identity = new WalIdentity(builder.clusterId, builder.nodeId);
        this.fileBytes = builder.fileBytes;
        this.preallocate = builder.preallocate;
        this.checkpointEveryFiles = builder.checkpointEveryFiles;
        this.background = builder.background;
        this.io = builder.io;
        this.failStop = new FailStop(directory, this::wakeWaiters);
        this.writer = new WalWriter(io, directory, identity, fileBytes, preallocate, files, failStop, this::rolled,
                builder.writeThrough);
    }

    /**
     * Starts configuring a shared log in {@code directory} (created by {@link #open()} if missing).
     *
     * @param directory the directory (created by {@code open()} if missing)
     * @return a builder with the defaults
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** {@return the directory of this log} */
    public Path directory() {
        return directory;
    }

    /**
     * Locks the directory and recovers every group (see the class comment); makes what it recovered
     * durable. Called once; the first group's {@code open} calls it if the application did not.
     *
     * @throws CorruptStorageException      if durable data is damaged
     * @throws IncompatibleStorageException if the files belong to another cluster or node, or a newer format
     * @throws IOException                  if the directory is in use or cannot be read or written
     */
    public synchronized void open() throws IOException {
        if (closed) {
            throw new IOException("shared log in " + directory + " is closed");
        }
        if (opened) {
            throw new IllegalStateException("open() was already called");
        }
        io.createDirectories(directory);
        directoryLock = io.lockDirectory(directory);
        try {
            WalRecovery.Result recovered = WalRecovery.recover(io, directory, identity);
            for (WalFile file : recovered.files) {
                files.add(file);
            }
            for (GroupState group : recovered.groups.values()) {
                if (!group.isPristine()) { // a deleted group leaves nothing behind
                    groups.put(group.groupId, group);
                }
            }
            WalFile tail = recovered.tail;
            long firstSeq = recovered.files.isEmpty() ? 1 : recovered.files.get(0).seq;
            if (tail == null) {
                tail = WalFile.create(io, directory, identity, 1, preallocate ? fileBytes : 0);
                files.add(tail);
                recovered.position = WalFile.HEADER_BYTES;
            }
            commit = new GroupCommit(writer, failStop, 0);
            writer.start(tail, recovered.position, commit);
            if (recovered.cutTorn || recovered.tailSealed) {
                writer.rollForOpen(recovered.cutTorn);
            } else if (tail.version < WalFile.FORMAT_VERSION) {
                writer.rollForOpen(true); // records of the newer format never go into an older file
            }
            WalWriter.SyncPoint end = writer.syncPoint();
            end.file().handle.force(true);
            io.forceDirectory(directory);
            commit.markDurable(end.file(), end.offset());
            for (Path old : recovered.oldCheckpoints) {
                io.delete(old);
            }
            if (!recovered.unreferenced.isEmpty()) {
                files.delete(io, recovered.unreferenced);
                io.forceDirectory(directory);
            }
            maintenance = new Maintenance(io, directory, identity, writer, commit, files, failStop, this::groupList,
                    checkpointEveryFiles, recovered.checkpointLsn, firstSeq);
            if (background) {
                maintenance.start();
            }
            opened = true;
        } catch (IOException | RuntimeException e) {
            try {
                files.closeAll();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            groups.clear();
            try {
                directoryLock.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            directoryLock = null;
            throw e;
        }
    }

    /**
     * The storage of group {@code groupId}, unopened: the group's node calls its {@code open()}. A
     * group that was never written starts empty. Only one storage per group may be open at a time.
     *
     * @param groupId the Raft group
     * @return the group's storage, unopened
     */
    public LogStorage storageFor(long groupId) {
        return new GroupLog(this, groupId);
    }

    /**
     * This log as a {@code RaftHost}'s log storage factory: {@link #storageFor} for each group,
     * {@link #groups()} as the groups found, and {@link #deleteGroup} to delete a group's data (a group
     * removed without its data keeps its records live in the stream, and creating the group again
     * recovers them).
     *
     * @return the factory; the log must be opened before the first group is created, and closed by the
     *         application after the host
     */
    public io.ringraft.spi.LogStorageFactory asFactory() {
        return new io.ringraft.spi.LogStorageFactory() {
            @Override
            public LogStorage create(long groupId) {
                return storageFor(groupId);
            }

            @Override
            public Set<Long> groupsFound() throws IOException {
                return groups();
            }

            @Override
            public void delete(long groupId) throws IOException {
                deleteGroup(groupId);
            }

            @Override
            public String toString() {
                return SharedLog.this.toString();
            }
        };
    }

    /**
     * {@return the groups this log holds anything for (entries, a base or a vote), in id order}
     *
     * @throws IOException if the log was not opened or has stopped
     */
    public synchronized Set<Long> groups() throws IOException {
        ensureOpen();
        Set<Long> ids = new TreeSet<>();
        for (GroupState group : groups.values()) {
            group.lock.readLock().lock();
            try {
                if (!group.isPristine()) {
                    ids.add(group.groupId);
                }
            } finally {
                group.lock.readLock().unlock();
            }
        }
        return ids;
    }

    /**
     * Deletes everything group {@code groupId} stored: its entries, base and vote. Writes one delete
     * record to the stream and makes it durable before returning; nothing of any group is rewritten.
     * The group's entries stop counting as live, so the files holding them are reclaimed as usual (once
     * a checkpoint follows them, and their other groups' live entries are purged or moved forward).
     * From then on, and after a restart, {@link #groups()} does not list the group, and opening its
     * storage again starts it empty. A crash before the record is durable leaves the group as it was.
     *
     * <p>Called by {@code RaftHost.removeGroup(id, true)} (through {@link #asFactory()}) after the
     * group's node closed its storage; any thread. Blocks on one group commit.
     *
     * @param groupId the group
     * @throws IllegalStateException if the group's storage is open
     * @throws IOException           if the log was not opened or has stopped, or the write or force fails
     *                               (the log then stops: fail-stop)
     */
    public void deleteGroup(long groupId) throws IOException {
        GroupState group;
        synchronized (this) {
            ensureOpen();
            failStop.check();
            group = groups.get(groupId);
            if (group == null) {
                return; // nothing stored
            }
            if (group.inUse) {
                throw new IllegalStateException("group " + groupId + " is open in the shared log in " + directory
                        + ": close its storage before deleting its data");
            }
            group.inUse = true; // nobody opens it while its delete record goes out
        }
        try {
            writer.writeChange(group, WalRecord.KIND_DELETE, 0, 0);
            commit.awaitDurable(group.lastLsn);
        } finally {
            synchronized (this) {
                group.inUse = false;
                if (group.isPristine()) {
                    writer.lock.lock(); // checkpoints list the groups under the writer's lock
                    try {
                        groups.remove(groupId, group);
                    } finally {
                        writer.lock.unlock();
                    }
                }
            }
        }
    }

    /**
     * Stops the maintenance thread, closes every file and releases the directory. Changes not flushed
     * are lost (they may still be in the writer's staging buffer). Every group's storage throws
     * afterwards. Idempotent.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        failStop.markClosed();
        if (maintenance != null) {
            try {
                maintenance.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while stopping the WAL maintenance thread");
            }
        }
        // The writer's lock waits for a write in progress; later ones see the log closed.
        writer.lock.lock();
        try {
            files.closeAll();
        } finally {
            writer.lock.unlock();
            if (directoryLock != null) {
                directoryLock.close();
                directoryLock = null;
            }
        }
    }

    @Override
    public String toString() {
        return "SharedLog[" + directory + " groups=" + groups.size() + " files=" + files.count()
                + (failStop.failed() ? " FAILED" : "") + "]";
    }

    // ------------------------------------------------------------------ package-private: the groups' side

    synchronized GroupState acquireGroup(long groupId) throws IOException {
        ensureOpen();
        failStop.check();
        GroupState group = groups.get(groupId);
        if (group == null) {
            writer.lock.lock(); // registered under the writer's lock: checkpoints list groups under it
            try {
                group = groups.computeIfAbsent(groupId, GroupState::new);
            } finally {
                writer.lock.unlock();
            }
        }
        if (group.inUse) {
            throw new IllegalStateException("group " + groupId + " is already open in the shared log in " + directory);
        }
        group.inUse = true;
        return group;
    }

    synchronized void releaseGroup(GroupState group) {
        group.inUse = false;
    }

    private void ensureOpen() throws IOException {
        if (!opened && !closed) {
            open();
        }
    }

    WalWriter writer() {
        return writer;
    }

    GroupCommit commit() {
        return commit;
    }

    WalFiles files() {
        return files;
    }

    FailStop failStop() {
        return failStop;
    }

    int maxPayload() {
        return WalWriter.maxPayload(fileBytes);
    }

    /** Runs a maintenance round now (tests; the background thread must be off). */
    void maintainNow() throws IOException {
        maintenance.runOnce();
    }

    /** Writes a checkpoint now (tests). */
    void checkpointNow() throws IOException {
        maintenance.checkpoint();
    }

    /** {@code fdatasync}s issued by flushes so far. */
    long flushForces() {
        return commit.forces();
    }

    /** WAL files open now. */
    int openFiles() {
        return files.count();
    }

    private List<GroupState> groupList() {
        return new ArrayList<>(groups.values());
    }

    private void rolled() {
        Maintenance running = maintenance;
        if (running != null && background) {
            running.request();
        }
    }

    private void wakeWaiters() {
        GroupCommit current = commit;
        if (current != null) {
            current.wakeAll();
        }
    }

    // ------------------------------------------------------------------ builder

    /** Configures a {@link SharedLog}. Not thread-safe; one log per directory may be open at a time. */
    public static final class Builder {
        private final Path directory;
        private long clusterId;
        private long nodeId;
        private long fileBytes = DEFAULT_FILE_BYTES;
        private boolean preallocate = true;
        private int checkpointEveryFiles = DEFAULT_CHECKPOINT_EVERY_FILES;
        private boolean background = true;
        private boolean writeThrough;
        private FileIo io = NioFileIo.INSTANCE;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * The cluster these files belong to (default 0); written into every file and checked when read.
         *
         * @param clusterId any value unique to the cluster
         * @return this builder
         */
        public Builder clusterId(long clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /**
         * The node (host) these files belong to (required): written into every file and checked when
         * it is read, like the node id a {@code SegmentedLogStorage} records, so that opening another
         * node's directory fails with an {@code IncompatibleStorageException} naming both ids.
         *
         * @param nodeId the node's id (positive)
         * @return this builder
         * @throws IllegalArgumentException unless positive
         */
        public Builder nodeId(long nodeId) {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            this.nodeId = nodeId;
            return this;
        }

        /**
         * Size of a WAL file (default {@link #DEFAULT_FILE_BYTES}); it also bounds an entry's payload.
         * Space is reclaimed a file at a time.
         *
         * @param fileBytes the size of a WAL file in bytes
         * @return this builder
         * @throws IllegalArgumentException outside [{@link #MIN_FILE_BYTES}, {@link #MAX_FILE_BYTES}]
         */
        public Builder fileBytes(int fileBytes) {
            if (fileBytes < MIN_FILE_BYTES || fileBytes > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("fileBytes must be in [" + MIN_FILE_BYTES + ", " + MAX_FILE_BYTES
                        + "], got " + fileBytes);
            }
            this.fileBytes = fileBytes;
            return this;
        }

        /**
         * Whether a new file is filled with zeros when it is created (default true), so that a flush's
         * {@code fdatasync} has no size change or block allocation to journal.
         *
         * @param preallocate whether to preallocate files
         * @return this builder
         */
        public Builder preallocate(boolean preallocate) {
            this.preallocate = preallocate;
            return this;
        }

        /**
         * How many files the stream goes through between checkpoints (default
         * {@link #DEFAULT_CHECKPOINT_EVERY_FILES}): recovery replays at most about this many files after
         * the newest checkpoint, and files are reclaimed only once a checkpoint follows them.
         *
         * @param files files between checkpoints (at least 1)
         * @return this builder
         */
        public Builder checkpointEveryFiles(int files) {
            if (files < 1) {
                throw new IllegalArgumentException("checkpointEveryFiles must be at least 1, got " + files);
            }
            this.checkpointEveryFiles = files;
            return this;
        }

        /**
         * Whether every change is written to its file (the page cache) before its call returns (default
         * false). Without it, changes wait in the writer's staging buffer (256 KiB, shared by every
         * group) until a flush or vote of any group, a read of them, or the buffer filling writes them
         * out together: a round of appends to many groups followed by their flushes costs one
         * {@code write} and one {@code fdatasync}. Durability is the same either way (a change is durable
         * once a later flush returns). What differs is a process crash that the machine survives:
         * without write-through it loses the changes not yet written out (never anything flushed),
         * as a power loss loses those not yet forced; with it, it loses nothing, at one {@code write}
         * system call per change.
         *
         * @param writeThrough whether each change is written before its call returns
         * @return this builder
         */
        public Builder writeThrough(boolean writeThrough) {
            this.writeThrough = writeThrough;
            return this;
        }

        /** Whether checkpoints and reclamation run on a background thread (default true; tests run them). */
        Builder backgroundMaintenance(boolean background) {
            this.background = background;
            return this;
        }

        /** Replaces the file layer (tests inject faults through it). */
        Builder fileIo(FileIo io) {
            this.io = Objects.requireNonNull(io, "io");
            return this;
        }

        /**
         * A new, unopened shared log.
         *
         * @return the log, unopened
         * @throws IllegalStateException if no {@link #nodeId(long)} was given
         */
        public SharedLog build() {
            if (nodeId == 0) {
                throw new IllegalStateException("nodeId(...) is required: the shared log records which node its"
                        + " directory belongs to and refuses to open it as another node");
            }
            return new SharedLog(this);
        }
    }
}
