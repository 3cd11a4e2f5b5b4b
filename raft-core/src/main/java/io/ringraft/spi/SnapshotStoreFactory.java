package io.ringraft.spi;

import java.io.IOException;

/**
 * Gives each Raft group of a host ({@code io.ringraft.api.RaftHost}) its {@link SnapshotStore}.
 *
 * <p>Called by the host: {@link #create} on the thread that creates a group (the group's node opens
 * and closes the store); {@link #delete} on the thread that removes a group with its data, after the
 * store was closed. Must be thread-safe.
 */
@FunctionalInterface
public interface SnapshotStoreFactory {

    /**
     * The snapshot store of group {@code groupId}.
     *
     * @param groupId the group
     * @return its store
     * @throws IOException if the store cannot be set up (the group is then not created)
     */
    SnapshotStore create(long groupId) throws IOException;

    /**
     * Deletes every snapshot of group {@code groupId}. Called only after the group's store was closed.
     *
     * @param groupId the group
     * @throws IOException if the snapshots cannot be deleted
     * @throws UnsupportedOperationException if this factory cannot delete (the default)
     */
    default void delete(long groupId) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot delete a group's snapshots");
    }
}
