package io.ringraft.storage.internal;

import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A small file that is replaced as a whole, atomically and durably: write a temporary file, force
 * it, rename it over the old one, force the directory. After a crash at any point the file holds
 * either the old content or the new one, never a mix. Used for the vote and the log base, and for
 * snapshot metadata.
 *
 * <p>Stateless; the caller serializes replacements of one file. Blocks on two {@code fsync}s.
 */
public final class AtomicFile {

    /** Suffix of temporary files; the opener deletes leftovers. */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /** Replaces {@code directory/name} with {@code content} (from position 0 to its limit). */
    public static void replace(FileIo io, Path directory, String name, ByteBuffer content) throws IOException {
        Path temp = directory.resolve(name + TEMP_SUFFIX);
        try (FileHandle file = io.open(temp, true)) {
            file.truncate(0);
            file.write(content.duplicate().position(0), 0);
            file.force(true);
        }
        io.rename(temp, directory.resolve(name));
        io.forceDirectory(directory);
    }

    /** The whole content of {@code file}, or null if it does not exist. */
    public static ByteBuffer readAll(FileIo io, Path file) throws IOException {
        if (!io.exists(file)) {
            return null;
        }
        try (FileHandle handle = io.open(file, false)) {
            long size = handle.size();
            if (size > 1 << 20) {
                throw new CorruptStorageException(file, -1, "is " + size + " bytes, far more than it can hold");
            }
            ByteBuffer content = ByteBuffer.allocate((int) size);
            int read = handle.read(content, 0);
            content.clear().limit(read);
            return content;
        }
    }
}
