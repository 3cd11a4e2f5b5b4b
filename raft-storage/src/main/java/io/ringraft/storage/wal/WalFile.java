package io.ringraft.storage.wal;

import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.IncompatibleStorageException;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One file of the WAL stream, {@code wal-<seq>.log}: a 64-byte header (the common
 * {@link FileHeader} block, magic {@code RRWL}, with the file's {@code seq}), then records
 * ({@link WalRecord}) back to back, ended by a seal record once the stream moved on to the next file.
 * A file is created whole (header and, with preallocation, zeros up to the file size, in a
 * {@code .tmp} file that is forced, renamed, and the directory forced), so a file with a WAL name
 * always has a durable header.
 *
 * <p>The handle is shared: the writer writes and forces the newest file, readers read any file with
 * positional reads. {@link #durableOffset} is written by whoever forced the file and read by the
 * writer for the records' stable offsets.
 */
final class WalFile {

    /**
     * The format version of WAL files this code writes and the newest it reads: 1, the first; 2 adds
     * the delete record ({@link WalRecord#KIND_DELETE}). Files of version 1 are read (and the stream
     * goes on in a new file of version 2); a RingRaft that reads only version 1 refuses version 2 files.
     */
    static final short FORMAT_VERSION = 2;
    static final int MAGIC = 0x5252574c; // "RRWL"
    static final int HEADER_BYTES = 64;
    private static final int OFFSET_SEQ = FileHeader.PREFIX_BYTES;
    private static final String PREFIX = "wal-";
    private static final String SUFFIX = ".log";
    private static final int ZERO_CHUNK = 1 << 20;

    final long seq;
    /** The file's format version (see {@link #FORMAT_VERSION}). */
    final short version;
    final Path path;
    final FileHandle handle;
    /** Bytes of the file known to be durable (forced); of a file opened by recovery, 0 until the opener forces it. */
    volatile long durableOffset;
    /** Entry records ever written to this file (original and moved); guarded by the writer's lock. */
    long entryRecords;

    private WalFile(long seq, short version, Path path, FileHandle handle, long durableOffset) {
        this.seq = seq;
        this.version = version;
        this.path = path;
        this.handle = handle;
        this.durableOffset = durableOffset;
    }

    /** The file name of {@code seq}: zero-padded so that names sort like numbers. */
    static String name(long seq) {
        return String.format("%s%020d%s", PREFIX, seq, SUFFIX);
    }

    /** The seq named by {@code fileName}, or -1 if it is not a WAL file name. */
    static long parseSeq(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)
                || fileName.length() != PREFIX.length() + 20 + SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Creates file {@code seq} durably (see the class comment); {@code size} 0 means no preallocation. */
    static WalFile create(FileIo io, Path directory, WalIdentity identity, long seq, long size) throws IOException {
        Path path = directory.resolve(name(seq));
        Path temp = directory.resolve(name(seq) + AtomicFile.TEMP_SUFFIX);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        StorageIdentity ids = identity.asHeaderIdentity();
        FileHeader.writePrefix(header, MAGIC, HEADER_BYTES, ids, FORMAT_VERSION);
        header.putLong(OFFSET_SEQ, seq);
        FileHeader.writeCrc(header, HEADER_BYTES);
        try (FileHandle file = io.open(temp, true)) {
            file.truncate(0);
            file.write(header, 0);
            ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
            for (long at = HEADER_BYTES; at < size; at += ZERO_CHUNK) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, size - at));
                file.write(zeros, at);
            }
            file.force(true);
        }
        io.rename(temp, path);
        io.forceDirectory(directory);
        return new WalFile(seq, FORMAT_VERSION, path, io.open(path, false), HEADER_BYTES);
    }

    /**
     * Opens an existing file and checks its header.
     *
     * @throws CorruptStorageException      if the header is damaged or names another seq
     * @throws IncompatibleStorageException if it is of a newer format, has unknown flags, or belongs
     *                                      to another cluster or node
     */
    static WalFile open(FileIo io, Path path, long seq, WalIdentity identity) throws IOException {
        FileHandle handle = io.open(path, false);
        try {
            ByteBuffer header = verifyHeader(handle, path, MAGIC, HEADER_BYTES, "WAL file header", identity,
                    FORMAT_VERSION);
            if (header.getLong(OFFSET_SEQ) != seq) {
                throw new CorruptStorageException(path, OFFSET_SEQ, "header names seq " + header.getLong(OFFSET_SEQ)
                        + " but the file name says " + seq);
            }
            return new WalFile(seq, header.getShort(4), path, handle, 0);
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /**
     * Checks the common header block at the start of {@code handle} ({@code length} bytes, of
     * {@code magic}): format version (1 to {@code newestVersion}), CRC, flags (none are defined) and identity.
     */
    static ByteBuffer verifyHeader(FileHandle handle, Path path, int magic, int length, String kind,
            WalIdentity identity, short newestVersion) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(length);
        int read = handle.read(header, 0);
        // The common check compares the ids with themselves (it cannot name a node); ours follows.
        StorageIdentity own = read >= FileHeader.PREFIX_BYTES
                ? new StorageIdentity(header.getLong(12), header.getLong(20)) : new StorageIdentity(0, 0);
        FileHeader.verify(header, read, magic, length, kind, path, own, newestVersion);
        short flags = header.getShort(6);
        if (flags != 0) {
            throw new IncompatibleStorageException(path + ": " + kind + " has flags 0x" + Integer.toHexString(flags)
                    + " that this RingRaft does not know; it was written by a newer RingRaft");
        }
        identity.check(header.getLong(12), header.getLong(20), path);
        return header;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
