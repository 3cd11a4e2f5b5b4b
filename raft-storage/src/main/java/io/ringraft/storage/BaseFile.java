package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The file {@code base}: the last purged entry ({@link io.ringraft.spi.LogState#base()}), replaced
 * atomically ({@link AtomicFile}). Writing it is the moment a purge takes effect: segments wholly at
 * or below the base are dead from then on, whether or not their deletion reached the disk.
 *
 * <p>Layout: a {@link TwoLongFile} (magic {@code "RRBS"}) with {@code long index} and
 * {@code long term}. A missing file means {@link LogId#ZERO} (never purged).
 */
final class BaseFile {

    static final String NAME = "base";
    private static final TwoLongFile FILE = new TwoLongFile(NAME, 0x52524253 /* "RRBS" */, "log base file");

    private BaseFile() {
    }

    /** Reads the base of {@code directory}, or {@link LogId#ZERO} if the log was never purged. */
    static LogId read(FileIo io, Path directory, StorageIdentity identity) throws IOException {
        long[] values = FILE.read(io, directory, identity);
        if (values == null) {
            return LogId.ZERO;
        }
        long index = values[0];
        long term = values[1];
        if (index < 0 || term < 0) {
            throw new CorruptStorageException(FILE.path(directory), TwoLongFile.OFFSET_FIRST,
                    "holds an impossible base: index " + index + " term " + term);
        }
        return new LogId(term, index);
    }

    /** Makes {@code base} the durable base of {@code directory}. */
    static void write(FileIo io, Path directory, StorageIdentity identity, LogId base) throws IOException {
        FILE.write(io, directory, identity, base.index(), base.term());
    }
}
