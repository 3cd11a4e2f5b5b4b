package io.ringraft.storage.internal;

import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.IncompatibleStorageException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The block that starts every file {@code raft-storage} writes (segment header, vote, log base,
 * snapshot metadata): a common prefix, the fields of the file kind, and a CRC32C over all of it.
 *
 * <pre>
 * offset size field
 *      0    4 magic           one per file kind
 *      4    2 format version  {@link #FORMAT_VERSION}
 *      6    2 flags           per file kind; 0 except the reset segment flag
 *      8    4 block length    bytes of the whole block, CRC included
 *     12    8 cluster id
 *     20    8 group id
 *     28    . fields of the file kind
 *  len-4    4 CRC32C          of bytes [0, len - 4)
 * </pre>
 *
 * All integers are big-endian. Stateless; safe from any thread.
 */
public final class FileHeader {

    /** The format version this code writes and the newest it reads. */
    public static final short FORMAT_VERSION = 1;
    /** Bytes of the common prefix; the kind's fields start here. */
    public static final int PREFIX_BYTES = 28;

    private FileHeader() {
    }

    /** Writes the prefix of a block of {@code length} bytes at the start of {@code block}. */
    public static void writePrefix(ByteBuffer block, int magic, int length, StorageIdentity identity) {
        writePrefix(block, magic, length, identity, FORMAT_VERSION);
    }

    /**
     * Writes the prefix of a block with a format version of the file kind's own (a kind whose format
     * changed, such as the shared log's files, counts its versions itself).
     */
    public static void writePrefix(ByteBuffer block, int magic, int length, StorageIdentity identity, short version) {
        block.putInt(0, magic);
        block.putShort(4, version);
        block.putShort(6, (short) 0);
        block.putInt(8, length);
        block.putLong(12, identity.clusterId());
        block.putLong(20, identity.groupId());
    }

    /** Computes the CRC of the first {@code length - 4} bytes of {@code block} and stores it after them. */
    public static void writeCrc(ByteBuffer block, int length) {
        block.putInt(length - 4, crc(block, length - 4));
    }

    /**
     * Checks the block at the start of {@code block} (whose first {@code available} bytes were read
     * from {@code file}) and returns its length.
     *
     * @param kind a name for messages, e.g. "segment header"
     * @throws CorruptStorageException      if it is short, has the wrong magic or fails its CRC
     * @throws IncompatibleStorageException if it is of a newer format version or another cluster/group
     */
    public static int verify(ByteBuffer block, int available, int magic, int minLength, String kind, Path file,
            StorageIdentity identity) throws CorruptStorageException, IncompatibleStorageException {
        return verify(block, available, magic, minLength, kind, file, identity, FORMAT_VERSION);
    }

    /**
     * As {@link #verify(ByteBuffer, int, int, int, String, Path, StorageIdentity)}, for a file kind that
     * reads format versions 1 to {@code newestVersion}.
     *
     * @param newestVersion the newest format version of this kind that the caller reads
     * @return the block's length
     * @throws CorruptStorageException      if it is short, has the wrong magic or fails its CRC
     * @throws IncompatibleStorageException if it is of a version above {@code newestVersion} or another cluster/group
     */
    public static int verify(ByteBuffer block, int available, int magic, int minLength, String kind, Path file,
            StorageIdentity identity, short newestVersion) throws CorruptStorageException, IncompatibleStorageException {
        if (available < PREFIX_BYTES) {
            throw new CorruptStorageException(file, 0, kind + " is cut short: " + available + " bytes");
        }
        int foundMagic = block.getInt(0);
        if (foundMagic != magic) {
            throw new CorruptStorageException(file, 0, "not a RingRaft " + kind + " (magic 0x"
                    + Integer.toHexString(foundMagic) + ", expected 0x" + Integer.toHexString(magic) + ")");
        }
        short version = block.getShort(4);
        if (version > newestVersion) {
            throw new IncompatibleStorageException(file + ": " + kind + " has format version " + version
                    + ", newer than the versions this RingRaft reads (up to " + newestVersion
                    + "); it was written by a newer RingRaft: upgrade instead of downgrading");
        }
        if (version < 1) {
            throw new CorruptStorageException(file, 4, kind + " has invalid format version " + version);
        }
        int length = block.getInt(8);
        if (length < minLength || length > available) {
            throw new CorruptStorageException(file, 8, kind + " claims " + length + " bytes but "
                    + (length < minLength ? "needs at least " + minLength : "only " + available + " exist"));
        }
        int stored = block.getInt(length - 4);
        int computed = crc(block, length - 4);
        if (stored != computed) {
            throw new CorruptStorageException(file, 0, kind + " fails its checksum (stored 0x"
                    + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(computed) + ")");
        }
        identity.check(block.getLong(12), block.getLong(20), file);
        return length;
    }

    private static int crc(ByteBuffer block, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = block.duplicate();
        view.position(0).limit(length);
        crc.update(view);
        return (int) crc.getValue();
    }
}
