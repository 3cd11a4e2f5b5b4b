package io.ringraft.spi;

import java.io.IOException;
import java.util.Set;

/**
 * Gives each Raft group of a host ({@code io.ringraft.api.RaftHost}) its {@link LogStorage}.
 *
 * <p>Called by the host: {@link #create} on the thread that creates a group, before the group's node
 * recovers the storage (the node calls {@link LogStorage#open()} and, when the group is removed,
 * {@link LogStorage#close()}); {@link #delete} on the thread that removes a group with its data, after
 * the group's storage was closed; {@link #groupsFound()} by the application, to learn which groups a
 * restarted host held. Must be thread-safe: groups are created and removed concurrently.
 *
 * <p>Implementations: {@code io.ringraft.storage.wal.SharedLog#asFactory()} (one write-ahead log for
 * every group: one {@code fsync} commits many groups), a directory per group with
 * {@code io.ringraft.storage.SegmentedLogStorage}, or {@code InMemoryLogStorage::new} for tests.
 */
@FunctionalInterface
public interface LogStorageFactory {

    /**
     * The storage of group {@code groupId}, not yet opened.
     *
     * @param groupId the group
     * @return its storage (the group's node opens, uses and closes it)
     * @throws IOException if the storage cannot be set up (the group is then not created)
     */
    LogStorage create(long groupId) throws IOException;

    /**
     * Deletes everything group {@code groupId} stored. Called only after the group's storage was closed.
     *
     * @param groupId the group
     * @throws IOException if the data cannot be deleted (the group is removed, its data stays)
     * @throws UnsupportedOperationException if this factory cannot delete a group's data (the default)
     */
    default void delete(long groupId) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot delete a group's log; remove "
                + "the group without deleting its data, or use a factory that can");
    }

    /**
     * The groups this factory holds data of, for a restarted host to re-create (see {@code RaftHost}).
     *
     * @return the group ids found; empty if this factory cannot tell (the default)
     * @throws IOException if the storage cannot be read
     */
    default Set<Long> groupsFound() throws IOException {
        return Set.of();
    }
}
