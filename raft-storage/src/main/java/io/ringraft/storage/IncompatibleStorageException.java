package io.ringraft.storage;

import java.io.IOException;

/**
 * The storage directory holds files that this node must not use: the directory of another node
 * (swapped volumes, a wrong path), files of another cluster or Raft group (a misconfigured path, a
 * disk moved between clusters), or files written by a newer RingRaft whose format version or header
 * flags this one does not know.
 *
 * <p>Thrown by {@link SegmentedLogStorage#open()} and
 * {@link FileSnapshotStore#open(java.nio.file.Path, long, long, long, int)}; nothing is changed on disk.
 * Using such files would silently mix two logs, so the node refuses to start; the message names the
 * file and both identities (or both versions, or the unknown flags).
 */
public final class IncompatibleStorageException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what does not match, naming the file */
    public IncompatibleStorageException(String message) {
        super(message);
    }
}
