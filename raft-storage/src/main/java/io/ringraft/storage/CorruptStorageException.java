package io.ringraft.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Data that {@code raft-storage} wrote earlier is damaged: a checksum fails, or the files contradict
 * each other (a gap between segments, a record with the wrong index), in a place that was durable,
 * so the damage cannot be a write that a crash interrupted.
 *
 * <p>Thrown by {@link SegmentedLogStorage#open()}, by reads that reach the damaged place, and by
 * {@link FileSnapshotStore}. The node must stop: its log no longer holds what it acknowledged, so
 * it must not vote or acknowledge as if it did (reliability catalogue D35). The message names the
 * file and, where it applies, the byte offset; an operator can then restore the node from its
 * peers (wipe the directory and let the leader send a snapshot and the log).
 *
 * <p>A torn record at the end of the log (a write that was never acknowledged, cut short by a crash)
 * is not corruption: recovery cuts it away silently, except for a warning in the log.
 */
public final class CorruptStorageException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The damaged file. */
    private final transient Path file;
    /** The byte offset of the damage in {@link #file()}, or -1 when it is not about one place. */
    private final long offset;

    /**
     * @param file    the damaged file
     * @param offset  where in it, or -1
     * @param message what is wrong, without the file name (added here)
     */
    public CorruptStorageException(Path file, long offset, String message) {
        super(file + (offset >= 0 ? " at offset " + offset : "") + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    /** {@return the damaged file} */
    public Path file() {
        return file;
    }

    /** {@return the byte offset of the damage, or -1 when the problem is not about one place} */
    public long offset() {
        return offset;
    }
}
