package io.ringraft.storage;

import io.ringraft.api.RaftHost;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.SnapshotStoreFactory;
import io.ringraft.storage.wal.SharedLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The default durable storage of a {@link RaftHost}: one {@link SharedLog} for every group's log (one
 * append stream, one {@code fdatasync} commits every group's appends) in {@code <dataDir>/wal}, and a
 * snapshot directory per group under {@code <dataDir>/groups} ({@link GroupDirectories#snapshots()}).
 *
 * <pre>{@code
 * HostStorage storage = HostStorage.open(Path.of("/var/lib/orders"), 0x5eed, 1);
 * RaftHost host = storage.configure(RaftHost.builder().nodeId(1).transport(netty))
 *         .build();                       // closing the host closes the shared log after its groups
 * for (long group : storage.logs().groupsFound()) {                // or the groups the application knows
 *     host.createGroup(group, voters, stateMachineFor(group));    // each recovers its log and snapshots
 * }
 * }</pre>
 *
 * <p>Called by the thread that sets the host up: {@link #open} recovers the shared log (every group's
 * index) before it returns; {@link #configure} hands the factories to the host's builder and registers
 * this storage to be closed after the host's groups ({@link RaftHost.Builder#closeAfter}).
 * {@code removeGroup(id, true)} deletes the group's data: a delete record in the shared log
 * ({@link SharedLog#deleteGroup}; its space is reclaimed with the files) and its snapshot directory.
 * Thread-safe after {@code open}.
 */
public final class HostStorage implements AutoCloseable {

    private final SharedLog wal;
    private final GroupDirectories groups;

    private HostStorage(SharedLog wal, GroupDirectories groups) {
        this.wal = wal;
        this.groups = groups;
    }

    /**
     * Opens (or creates) a host's storage under {@code dataDir} and recovers its shared log.
     *
     * @param dataDir   the host's data directory (created if missing); holds {@code wal} and {@code groups}
     * @param clusterId written into every file and checked when read: unique to the cluster
     * @param nodeId    the host's node id, likewise
     * @return the storage, open
     * @throws IOException if the directory cannot be created or the log cannot be recovered (for example
     *                     {@link CorruptStorageException}, {@link IncompatibleStorageException})
     */
    public static HostStorage open(Path dataDir, long clusterId, long nodeId) throws IOException {
        Objects.requireNonNull(dataDir, "dataDir");
        Files.createDirectories(dataDir);
        SharedLog wal = SharedLog.builder(dataDir.resolve("wal")).clusterId(clusterId).nodeId(nodeId).build();
        wal.open();
        return new HostStorage(wal, new GroupDirectories(dataDir.resolve("groups"), clusterId, nodeId));
    }

    /** {@return every group's log, in the shared log (its {@code groupsFound()} lists the groups it holds)} */
    public LogStorageFactory logs() {
        return wal.asFactory();
    }

    /** {@return every group's snapshot store, a directory per group} */
    public SnapshotStoreFactory snapshots() {
        return groups.snapshots();
    }

    /**
     * Gives {@code builder} this storage's factories and has the host close this storage after its groups.
     *
     * @param builder the host's builder
     * @return {@code builder}
     */
    public RaftHost.Builder configure(RaftHost.Builder builder) {
        return builder.logStorage(logs()).snapshotStore(snapshots()).closeAfter(this);
    }

    /** Closes the shared log (after the host's groups closed: the host does this itself when configured). */
    @Override
    public void close() throws IOException {
        wal.close();
    }

    @Override
    public String toString() {
        return "HostStorage[" + wal + "]";
    }
}
