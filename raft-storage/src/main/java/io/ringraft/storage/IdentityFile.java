package io.ringraft.storage;

import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;

/**
 * The file {@code identity}: which node owns a storage directory (a log directory of
 * {@link SegmentedLogStorage} or a snapshot directory of {@link FileSnapshotStore}). The header of
 * every file already names the cluster and the group; this file adds the node, so that a directory
 * opened by another node (swapped volumes, a wrong path) is refused instead of lending that node
 * another node's vote and log, which breaks Raft's vote safety.
 *
 * <p>Layout: a {@link TwoLongFile} (magic {@code "RRID"}) with {@code long nodeId} and a
 * {@code long} reserved (0); replaced atomically, written once: when a directory is first opened,
 * after its recovery succeeded. A directory written before node ids were recorded has no such
 * file; its first open records the configured node id and logs a warning (the upgrade path in
 * {@code docs/storage.md}). Called at open only, by the opening thread; blocks on file IO.
 */
final class IdentityFile {

    static final String NAME = "identity";
    private static final TwoLongFile FILE = new TwoLongFile(NAME, 0x52524944 /* "RRID" */, "identity file");

    private IdentityFile() {
    }

    /**
     * Checks that {@code directory} belongs to {@code nodeId} (and to the cluster and group of
     * {@code identity}). Changes nothing.
     *
     * @return true if the directory records its owner, false if it records none yet (new, or written
     *         before node ids were recorded): call {@link #record} once it opened successfully
     * @throws IncompatibleStorageException if it belongs to another node, cluster or group, or is of a
     *                                      newer format
     */
    static boolean check(FileIo io, Path directory, StorageIdentity identity, long nodeId) throws IOException {
        long[] values = FILE.read(io, directory, identity);
        if (values == null) {
            return false;
        }
        long owner = values[0];
        if (owner != nodeId) {
            throw new IncompatibleStorageException(FILE.path(directory) + " belongs to node " + owner + " (cluster "
                    + identity.clusterId() + " group " + identity.groupId() + "), but this storage is configured for node "
                    + nodeId + ": refusing to use another node's vote and log, which could let a node vote twice"
                    + " (swapped volumes or a wrong path?)");
        }
        return true;
    }

    /**
     * Records {@code nodeId} as the owner of {@code directory}, durably.
     *
     * @param hadData whether the directory already held data (a directory written before node ids were
     *                recorded): then a warning is logged, since nothing could check that it is this node's
     */
    static void record(FileIo io, Path directory, StorageIdentity identity, long nodeId, boolean hadData,
                       Logger log) throws IOException {
        if (hadData) {
            log.warn("{} records no node id (it was written by an older RingRaft): recording node {} as its owner."
                    + " From now on only node {} of cluster {} group {} opens it. If it is not node {}'s directory, stop"
                    + " this node at once, give it its own directory and delete {} so that the owner records itself"
                    + " (docs/storage.md, 'Node identity')", directory, nodeId, nodeId, identity.clusterId(),
                    identity.groupId(), nodeId, FILE.path(directory));
        }
        FILE.write(io, directory, identity, nodeId, 0);
    }
}
