package io.ringraft.storage.wal;

import io.ringraft.storage.IncompatibleStorageException;
import io.ringraft.storage.internal.StorageIdentity;
import java.nio.file.Path;

/**
 * Which cluster and node a WAL directory belongs to: written into the header of every WAL and
 * checkpoint file (in the common header's cluster and second id fields) and checked when one is
 * read, so that a directory of another node or cluster is refused instead of being mixed in.
 *
 * @param clusterId chosen by the operator for the whole cluster
 * @param nodeId    the node (host) whose groups the directory serves
 */
record WalIdentity(long clusterId, long nodeId) {

    /** The same values in the shape the common header writes. */
    StorageIdentity asHeaderIdentity() {
        return new StorageIdentity(clusterId, nodeId);
    }

    /** @throws IncompatibleStorageException if {@code file} names another cluster or node */
    void check(long fileClusterId, long fileNodeId, Path file) throws IncompatibleStorageException {
        if (fileClusterId != clusterId || fileNodeId != nodeId) {
            throw new IncompatibleStorageException(file + " belongs to cluster " + fileClusterId + " node "
                    + fileNodeId + ", but this shared log is configured for cluster " + clusterId + " node "
                    + nodeId + ": refusing to mix the logs of two clusters or nodes (wrong directory?)");
        }
    }
}
