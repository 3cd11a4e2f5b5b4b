package io.ringraft.storage;

import io.ringraft.spi.LogStorage;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.SnapshotStoreFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A directory per Raft group under one root, for a {@code RaftHost}: group {@code g}'s log is a
 * {@link SegmentedLogStorage} in {@code <root>/group-<g>/log} and its snapshots a {@link FileSnapshotStore}
 * in {@code <root>/group-<g>/snapshots}. It is the host's {@link LogStorageFactory}, and {@link #snapshots()}
 * its {@link SnapshotStoreFactory}; {@link #groupsFound()} lists the groups whose directories exist, and
 * {@link #delete} removes a group's directory.
 *
 * <p>Each group has files of its own and flushes them with its own {@code fsync}: simple and isolated,
 * but with many active groups the disk sees one {@code fsync} per group per round. For many groups on one
 * disk, {@code io.ringraft.storage.wal.SharedLog#asFactory()} commits every group with one {@code fsync}.
 * Segments are small and not preallocated by default here ({@value #DEFAULT_SEGMENT_BYTES} bytes), so that
 * thousands of idle groups do not reserve disk space.
 *
 * <p>Thread-safe: the host calls it from the threads that create and remove groups.
 */
public final class GroupDirectories implements LogStorageFactory {

    /** The segment size of each group's log unless told otherwise: 1 MiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 1 << 20;
    private static final String PREFIX = "group-";

    private final Path root;
    private final long clusterId;
    private final long nodeId;
    private final int segmentBytes;
    private final int retainSnapshots;

    /**
     * Directories under {@code root}, one per group, created when a group is first created.
     *
     * @param root            the directory that holds one directory per group (created if missing)
     * @param clusterId       written into every file and checked when read (see {@link SegmentedLogStorage})
     * @param nodeId          the host's node id, likewise
     * @param segmentBytes    each log segment's size, in bytes
     * @param retainSnapshots how many snapshots each group keeps (at least 1)
     */
    public GroupDirectories(Path root, long clusterId, long nodeId, int segmentBytes, int retainSnapshots) {
        this.root = root;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.segmentBytes = segmentBytes;
        this.retainSnapshots = retainSnapshots;
        if (retainSnapshots < 1) {
            throw new IllegalArgumentException("retainSnapshots must be at least 1, got " + retainSnapshots);
        }
    }

    /**
     * As the full constructor, with {@value #DEFAULT_SEGMENT_BYTES}-byte segments and two snapshots kept.
     *
     * @param root      the directory that holds one directory per group (created if missing)
     * @param clusterId written into every file and checked when read
     * @param nodeId    the host's node id, likewise
     */
    public GroupDirectories(Path root, long clusterId, long nodeId) {
        this(root, clusterId, nodeId, DEFAULT_SEGMENT_BYTES, 2);
    }

    /**
     * {@return the directory of group {@code groupId}}
     *
     * @param groupId the group, not negative
     */
    public Path directoryOf(long groupId) {
        if (groupId < 0) {
            throw new IllegalArgumentException("group ids are not negative, got " + groupId);
        }
        return root.resolve(PREFIX + groupId);
    }

    @Override
    public LogStorage create(long groupId) throws IOException {
        Path directory = directoryOf(groupId).resolve("log");
        Files.createDirectories(directory);
        return SegmentedLogStorage.builder(directory).clusterId(clusterId).groupId(groupId).nodeId(nodeId)
                .segmentBytes(segmentBytes).preallocate(false).build();
    }

    /**
     * The snapshot store of group {@code groupId} (what {@link #snapshots()} creates).
     *
     * @param groupId the group
     * @return its store, opened
     * @throws IOException if the directory cannot be created or the store opened
     */
    public SnapshotStore snapshotStore(long groupId) throws IOException {
        Path directory = directoryOf(groupId).resolve("snapshots");
        Files.createDirectories(directory);
        return FileSnapshotStore.open(directory, clusterId, groupId, nodeId, retainSnapshots);
    }

    /** {@return this object as the host's snapshot store factory} */
    public SnapshotStoreFactory snapshots() {
        return new SnapshotStoreFactory() {
            @Override
            public SnapshotStore create(long groupId) throws IOException {
                return snapshotStore(groupId);
            }

            @Override
            public void delete(long groupId) throws IOException {
                deleteTree(directoryOf(groupId).resolve("snapshots"));
            }
        };
    }

    /** Deletes group {@code groupId}'s whole directory (log and snapshots); the group must be closed. */
    @Override
    public void delete(long groupId) throws IOException {
        deleteTree(directoryOf(groupId));
    }

    @Override
    public Set<Long> groupsFound() throws IOException {
        Set<Long> found = new TreeSet<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString().substring(PREFIX.length());
                try {
                    long id = Long.parseLong(name);
                    if (id >= 0 && Files.isDirectory(entry)) {
                        found.add(id);
                    }
                } catch (NumberFormatException e) {
                    // not a group directory of ours: leave it alone
                }
            }
        }
        return found;
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(path);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public String toString() {
        return "GroupDirectories[" + root + "]";
    }
}
