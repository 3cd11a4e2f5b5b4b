package io.ringraft.storage;

import io.ringraft.api.LogId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The file {@code base}: the last purged entry ({@link io.ringraft.spi.LogState#base()}), replaced
 * atomically ({@link AtomicFile}). Writing it is the moment a purge takes effect: segments wholly at
 * or below the base are dead from then on, whether or not their deletion reached the disk.
 *
 * <p>Layout: a {@link FileHeader} block (magic {@code "RRBS"}) with {@code long index} and
 * {@code long term}; 48 bytes. A missing file means {@link LogId#ZERO} (never purged).
 */
final class BaseFile {

    static final String NAME = "base";
    private static final int MAGIC = 0x52524253; // "RRBS"
    private static final int BYTES = 48;
    private static final int OFFSET_INDEX = FileHeader.PREFIX_BYTES;
    private static final int OFFSET_TERM = FileHeader.PREFIX_BYTES + 8;

    private BaseFile() {
    }

    /** Reads the base of {@code directory}, or {@link LogId#ZERO} if the log was never purged. */
    static LogId read(FileIo io, Path directory, StorageIdentity identity) throws IOException {
        Path file = directory.resolve(NAME);
        ByteBuffer content = AtomicFile.readAll(io, file);
        if (content == null) {
            return LogId.ZERO;
        }
        FileHeader.verify(content, content.limit(), MAGIC, BYTES, "log base file", file, identity);
        long index = content.getLong(OFFSET_INDEX);
        long term = content.getLong(OFFSET_TERM);
        if (index < 0 || term < 0) {
            throw new CorruptStorageException(file, OFFSET_INDEX, "holds an impossible base: index " + index
                    + " term " + term);
        }
        return new LogId(term, index);
    }

    /** Makes {@code base} the durable base of {@code directory}. */
    static void write(FileIo io, Path directory, StorageIdentity identity, LogId base) throws IOException {
        ByteBuffer content = ByteBuffer.allocate(BYTES);
        FileHeader.writePrefix(content, MAGIC, BYTES, identity);
        content.putLong(OFFSET_INDEX, base.index());
        content.putLong(OFFSET_TERM, base.term());
        FileHeader.writeCrc(content, BYTES);
        AtomicFile.replace(io, directory, NAME, content);
    }
}
