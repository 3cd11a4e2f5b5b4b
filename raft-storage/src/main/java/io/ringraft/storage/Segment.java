package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file and what is known about it in memory: its name, its live index range, whether it
 * is sealed, and a sparse index of record offsets (every {@link #CHECKPOINT_INTERVAL}-th entry).
 *
 * <p><b>File layout.</b> A 64-byte header ({@link FileHeader} block: magic {@code "RRLG"}, version,
 * flags, cluster and group id, then {@code seq}, {@code firstIndex} and {@code resetBaseTerm}, CRC),
 * then records
 * ({@link RecordFormat}) back to back; a sealed segment ends with a {@link Seal}. Bytes after the last
 * record of an unsealed segment are zeros (preallocated) or a torn write. A segment file is
 * append-only: bytes that were durable are never rewritten (only zeros or a cut torn tail are).
 *
 * <p><b>Threads.</b> Fields are guarded by the storage's read/write lock: the log writer changes them
 * under the write lock; readers read them under the read lock. The sparse index of a sealed segment
 * is built lazily by the first reader (under this object's monitor) and then only read.
 */
final class Segment {

    /** Bytes of the header. */
    static final int HEADER_BYTES = 64;
    /** "RRLG". */
    static final int MAGIC = 0x52524C47;
    /** Every how many entries the sparse index keeps an offset. */
    static final int CHECKPOINT_INTERVAL = 32;

    /**
     * Header flag of a <b>reset segment</b>: the segment starts a new log whose base is
     * {@code (firstIndex - 1, resetBaseTerm)}, and every older segment (lower {@code seq}) is dead.
     * Creating one is the commit point of {@link SegmentedLogStorage#resetTo}.
     */
    static final short FLAG_RESET = 0x0001;
    /** Every flag this version knows; a header with another one was written by a newer version. */
    private static final short KNOWN_FLAGS = FLAG_RESET;

    private static final int OFFSET_FLAGS = 6;
    private static final int OFFSET_SEQ = FileHeader.PREFIX_BYTES;
    private static final int OFFSET_FIRST_INDEX = FileHeader.PREFIX_BYTES + 8;
    private static final int OFFSET_RESET_BASE_TERM = FileHeader.PREFIX_BYTES + 16;

    final SegmentName name;
    final Path path;
    final FileHandle file;
    final long firstIndex;
    /**
     * For a reset segment ({@link #FLAG_RESET}), the base of the log it starts, {@code firstIndex - 1};
     * null for any other segment.
     */
    final LogId resetBase;

    /** Last live index ({@code firstIndex - 1} when none). */
    long lastIndex;
    /** Offset where the records that may be read end: the write position, or a seal's offset. */
    long recordsEnd;
    /** True once a seal was written: nothing more is appended. */
    boolean sealed;
    /** Where the next record (or seal) goes; meaningful while not sealed. */
    long writePosition;
    /** Bytes of this file known durable (forced). */
    long stableOffset;

    private long[] checkpoints = new long[16];
    private int checkpointCount;
    private volatile boolean indexed;

    Segment(SegmentName name, Path path, FileHandle file, LogId resetBase) {
        this.name = name;
        this.path = path;
        this.file = file;
        this.resetBase = resetBase;
        this.firstIndex = name.firstIndex();
        this.lastIndex = firstIndex - 1;
        this.recordsEnd = HEADER_BYTES;
        this.writePosition = HEADER_BYTES;
        this.stableOffset = HEADER_BYTES;
    }

    /**
     * The header block of a segment.
     *
     * @param resetBase null for an ordinary segment; for a reset segment, the base of the log it
     *                  starts, whose index must be {@code name.firstIndex() - 1}
     */
    static ByteBuffer encodeHeader(StorageIdentity identity, SegmentName name, LogId resetBase) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        FileHeader.writePrefix(header, MAGIC, HEADER_BYTES, identity);
        header.putLong(OFFSET_SEQ, name.seq());
        header.putLong(OFFSET_FIRST_INDEX, name.firstIndex());
        if (resetBase != null) {
            if (resetBase.index() != name.firstIndex() - 1) {
                throw new IllegalArgumentException("a reset segment starting at " + name.firstIndex()
                        + " cannot have the base " + resetBase);
            }
            header.putShort(OFFSET_FLAGS, FLAG_RESET);
            header.putLong(OFFSET_RESET_BASE_TERM, resetBase.term());
        }
        FileHeader.writeCrc(header, HEADER_BYTES);
        return header;
    }

    /**
     * Checks the header of an existing segment file against its name and identity.
     *
     * @return for a reset segment, the base of the log it starts; null otherwise
     * @throws CorruptStorageException      if the header is damaged or disagrees with the name
     * @throws IncompatibleStorageException if it is of another cluster/group or a newer format
     */
    static LogId verifyHeader(FileHandle file, Path path, SegmentName name, StorageIdentity identity)
            throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        int read = file.read(header, 0);
        FileHeader.verify(header, read, MAGIC, HEADER_BYTES, "segment header", path, identity);
        if (header.getLong(OFFSET_SEQ) != name.seq() || header.getLong(OFFSET_FIRST_INDEX) != name.firstIndex()) {
            throw new CorruptStorageException(path, 0, "header says seq " + header.getLong(OFFSET_SEQ)
                    + " first index " + header.getLong(OFFSET_FIRST_INDEX) + " but the file name says "
                    + name.seq() + " and " + name.firstIndex());
        }
        short flags = header.getShort(OFFSET_FLAGS);
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IncompatibleStorageException(path + ": segment header has flags 0x"
                    + Integer.toHexString(flags & 0xFFFF) + ", some of which this RingRaft does not know (it knows 0x"
                    + Integer.toHexString(KNOWN_FLAGS) + "); it was written by a newer RingRaft: upgrade instead of"
                    + " downgrading");
        }
        if ((flags & FLAG_RESET) == 0) {
            return null;
        }
        long term = header.getLong(OFFSET_RESET_BASE_TERM);
        if (term < 0 || name.firstIndex() < 1) {
            throw new CorruptStorageException(path, OFFSET_RESET_BASE_TERM, "reset segment header holds an impossible"
                    + " base: index " + (name.firstIndex() - 1) + " term " + term);
        }
        return new LogId(term, name.firstIndex() - 1);
    }

    /** True if the segment holds no live entry. */
    boolean isEmpty() {
        return lastIndex < firstIndex;
    }

    // ------------------------------------------------------------------ sparse index

    /** True if offsets of every live entry can be found from the checkpoints. */
    boolean isIndexed() {
        return indexed;
    }

    /** Marks the sparse index complete (the writer calls this for the tail it scanned or created). */
    void markIndexed() {
        indexed = true;
    }

    /** Records the offset of entry {@code index} if it is a checkpoint (entries come in order). */
    synchronized void noteOffset(long index, long offset) {
        long relative = index - firstIndex;
        if (relative % CHECKPOINT_INTERVAL != 0 || relative / CHECKPOINT_INTERVAL != checkpointCount) {
            return;
        }
        if (checkpointCount == checkpoints.length) {
            checkpoints = Arrays.copyOf(checkpoints, checkpointCount * 2);
        }
        checkpoints[checkpointCount++] = offset;
    }

    /** Forgets checkpoints of entries after {@code index}. */
    synchronized void forgetOffsetsAfter(long index) {
        long keep = index < firstIndex ? 0 : (index - firstIndex) / CHECKPOINT_INTERVAL + 1;
        checkpointCount = (int) Math.min(checkpointCount, keep);
    }

    /**
     * The index of the checkpoint at or before {@code index}, whose offset is
     * {@link #checkpointOffset(long)}; the segment must be indexed and hold {@code index}.
     */
    synchronized long checkpointIndex(long index) {
        long k = Math.min((index - firstIndex) / CHECKPOINT_INTERVAL, checkpointCount - 1);
        return firstIndex + k * CHECKPOINT_INTERVAL;
    }

    /** Offset of the record of {@code checkpointIndex}, a value {@link #checkpointIndex} returned. */
    synchronized long checkpointOffset(long checkpointIndex) {
        return checkpoints[(int) ((checkpointIndex - firstIndex) / CHECKPOINT_INTERVAL)];
    }

    @Override
    public String toString() {
        return name + "[" + firstIndex + ".." + lastIndex + (sealed ? " sealed" : "")
                + (resetBase != null ? " reset to " + resetBase : "") + "]";
    }
}
