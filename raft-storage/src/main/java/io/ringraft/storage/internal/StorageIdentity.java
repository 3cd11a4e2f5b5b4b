package io.ringraft.storage.internal;

import io.ringraft.storage.IncompatibleStorageException;
import java.nio.file.Path;

/**
 * Which cluster and Raft group a storage directory belongs to. Written into every file header
 * (segments, vote, base, snapshot metadata) and checked on every read of a header, so that files of
 * another cluster or group are refused instead of being mixed into this node's log.
 *
 * @param clusterId chosen by the operator for the whole cluster; any value
 * @param groupId   the Raft group within the cluster
 */
public record StorageIdentity(long clusterId, long groupId) {

    /**
     * Throws if a header read from {@code file} names another cluster or group.
     *
     * @throws IncompatibleStorageException naming both identities
     */
    public void check(long fileClusterId, long fileGroupId, Path file) throws IncompatibleStorageException {
        if (fileClusterId != clusterId || fileGroupId != groupId) {
            throw new IncompatibleStorageException(file + " belongs to cluster " + fileClusterId + " group "
                    + fileGroupId + ", but this storage is configured for cluster " + clusterId + " group "
                    + groupId + ": refusing to mix the logs of two clusters or groups (wrong directory?)");
        }
    }
}
