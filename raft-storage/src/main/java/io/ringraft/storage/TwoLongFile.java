package io.ringraft.storage;

import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The shared layout of the small state files ({@link VoteFile}, {@link BaseFile}): a
 * {@link FileHeader} block with its own magic, then two {@code long}s; 48 bytes, replaced atomically
 * ({@link AtomicFile}). Called by the log writer thread (and at open); blocks on file IO.
 */
final class TwoLongFile {

    static final int BYTES = 48;
    static final int OFFSET_FIRST = FileHeader.PREFIX_BYTES;
    static final int OFFSET_SECOND = FileHeader.PREFIX_BYTES + 8;

    private final String name;
    private final int magic;
    private final String description;

    TwoLongFile(String name, int magic, String description) {
        this.name = name;
        this.magic = magic;
        this.description = description;
    }

    /** The file's path in {@code directory}. */
    Path path(Path directory) {
        return directory.resolve(name);
    }

    /**
     * Reads the two values, or null if the file does not exist.
     *
     * @throws CorruptStorageException if the header, the length or the checksum is wrong
     */
    long[] read(FileIo io, Path directory, StorageIdentity identity) throws IOException {
        Path file = path(directory);
        ByteBuffer content = AtomicFile.readAll(io, file);
        if (content == null) {
            return null;
        }
        FileHeader.verify(content, content.limit(), magic, BYTES, description, file, identity);
        return new long[] {content.getLong(OFFSET_FIRST), content.getLong(OFFSET_SECOND)};
    }

    /** Durably replaces the file with the two values. */
    void write(FileIo io, Path directory, StorageIdentity identity, long first, long second) throws IOException {
        ByteBuffer content = ByteBuffer.allocate(BYTES);
        FileHeader.writePrefix(content, magic, BYTES, identity);
        content.putLong(OFFSET_FIRST, first);
        content.putLong(OFFSET_SECOND, second);
        FileHeader.writeCrc(content, BYTES);
        AtomicFile.replace(io, directory, name, content);
    }
}
