package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Creating, opening and sealing segment files: the steps whose order makes them crash-safe.
 *
 * <p>Called by the log writer thread (and by recovery before the storage is in use). Every method
 * blocks on file IO; creating and sealing also block on {@code fsync}.
 */
final class SegmentFiles {

    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    private SegmentFiles() {
    }

    /**
     * Creates a segment the crash-safe way: header and preallocated zeros go into a temporary file,
     * which is forced, renamed to its real name, and the directory forced. A file with a segment's
     * name therefore always has a complete, durable header.
     *
     * @param preallocateBytes the file's size up front (zeros after the header), so that later
     *                         appends overwrite allocated blocks and {@code fdatasync} need not
     *                         write metadata; 0 to let the file grow with its records
     * @param resetBase        null for an ordinary segment; for a reset segment
     *                         ({@link Segment#FLAG_RESET}), the base of the log it starts
     */
    static Segment create(FileIo io, Path directory, StorageIdentity identity, SegmentName name,
            long preallocateBytes, LogId resetBase) throws IOException {
        ByteBuffer header = Segment.encodeHeader(identity, name, resetBase);
        Path temp = directory.resolve(name.tempFileName());
        Path path = directory.resolve(name.fileName());
        FileHandle file = io.open(temp, true);
        try {
            file.truncate(0);
            file.write(header, 0);
            if (preallocateBytes > Segment.HEADER_BYTES) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);
                for (long at = Segment.HEADER_BYTES; at < preallocateBytes; at += ZERO_CHUNK_BYTES) {
                    zeros.clear().limit((int) Math.min(ZERO_CHUNK_BYTES, preallocateBytes - at));
                    file.write(zeros, at);
                }
            }
            file.force(true);
            io.rename(temp, path);
            io.forceDirectory(directory);
        } catch (IOException | RuntimeException e) {
            closeQuietly(file, e);
            throw e;
        }
        Segment segment = new Segment(name, path, file, resetBase);
        segment.markIndexed();
        return segment;
    }

    /**
     * Creates a segment from a zero-filled spare ({@link SpareSegment}): writes the header over the
     * spare's first bytes, forces it, renames the spare to the segment's name and forces the directory,
     * so a file with a segment's name still always has a complete, durable header.
     *
     * @param spare the prepared spare, of the segment size (zeros, forced)
     */
    static Segment createFromSpare(FileIo io, Path directory, StorageIdentity identity, SegmentName name, Path spare)
            throws IOException {
        Path path = directory.resolve(name.fileName());
        FileHandle file = io.open(spare, false);
        try {
            file.write(Segment.encodeHeader(identity, name, null), 0);
            file.force(false); // the size did not change: the data's fsync suffices
            io.rename(spare, path);
            io.forceDirectory(directory);
        } catch (IOException | RuntimeException e) {
            closeQuietly(file, e);
            throw e;
        }
        Segment segment = new Segment(name, path, file, null);
        segment.markIndexed();
        return segment;
    }

    /** Opens an existing segment and checks its header (not its records). */
    static Segment open(FileIo io, Path directory, StorageIdentity identity, SegmentName name) throws IOException {
        Path path = directory.resolve(name.fileName());
        FileHandle file = io.open(path, false);
        LogId resetBase;
        try {
            resetBase = Segment.verifyHeader(file, path, name, identity);
        } catch (IOException | RuntimeException e) {
            closeQuietly(file, e);
            throw e;
        }
        return new Segment(name, path, file, resetBase);
    }

    /** A seal and the offset of its record. */
    record SealAt(Seal seal, long offset) {
    }

    /**
     * Reads the seal that ends a segment which recovery requires to be sealed (every segment but the
     * newest that still holds live entries).
     *
     * @throws CorruptStorageException if the file does not end with a valid seal
     */
    static SealAt readSeal(Segment segment) throws IOException {
        long size = segment.file.size();
        ByteBuffer trailer = ByteBuffer.allocate(Seal.TRAILER_BYTES);
        if (size < Segment.HEADER_BYTES + Seal.recordBytes(0)
                || segment.file.read(trailer, size - Seal.TRAILER_BYTES) < Seal.TRAILER_BYTES
                || trailer.getInt(4) != Seal.TRAILER_MAGIC) {
            throw notSealed(segment, size, "it does not end with a seal");
        }
        int length = trailer.getInt(0);
        long offset = size - length;
        if (length < Seal.recordBytes(0) || offset < Segment.HEADER_BYTES) {
            throw notSealed(segment, size, "its seal trailer gives an impossible length " + length);
        }
        RecordCursor cursor = new RecordCursor(segment.file, offset, size);
        if (cursor.next() != RecordCursor.Status.RECORD || cursor.kind() != RecordFormat.KIND_SEAL
                || cursor.recordEnd() != size) {
            throw notSealed(segment, offset, "its seal record is damaged");
        }
        Seal seal = Seal.decode(cursor.buffer(), cursor.recordOffsetInBuffer(), segment.firstIndex);
        if (seal == null) {
            throw notSealed(segment, offset, "its seal record is inconsistent");
        }
        return new SealAt(seal, offset);
    }

    private static CorruptStorageException notSealed(Segment segment, long offset, String why) {
        return new CorruptStorageException(segment.path, offset, "a segment followed by newer segments must be"
                + " sealed, but " + why);
    }

    /**
     * Writes {@code seal} at the segment's write position, cuts the file right after it and forces
     * the file (data and size). Does not change the in-memory {@link Segment}: the caller publishes.
     *
     * @return the offset right after the seal (the file's new size)
     */
    static long writeSeal(Segment segment, Seal seal, CRC32C crc) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(seal.recordBytes());
        int length = seal.encode(record, 0, (int) segment.stableOffset, crc);
        record.limit(length);
        segment.file.write(record, segment.writePosition);
        long end = segment.writePosition + length;
        segment.file.truncate(end);
        segment.file.force(true);
        return end;
    }

    /** Closes {@code file}, adding a failure to close to {@code primary}. */
    static void closeQuietly(Closeable file, Throwable primary) {
        try {
            file.close();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
