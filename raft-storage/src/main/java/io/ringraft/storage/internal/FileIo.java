package io.ringraft.storage.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the storage classes use, and nothing more: positional reads and writes,
 * size changes, {@code fsync} of files and directories, listing, atomic rename and delete.
 *
 * <p>Production code uses {@link NioFileIo} (plain {@link java.nio.channels.FileChannel}s). The tests
 * substitute a fault-injecting implementation that keeps un-forced writes in a "page cache" and drops,
 * keeps or tears them at a simulated power loss, fails forces, and runs out of space; the storage code
 * never touches {@code java.nio.file.Files} directly so that every byte it writes goes through here.
 *
 * <p>Implementations must be safe for concurrent use of different handles, and of one handle's
 * {@link FileHandle#read} from many threads.
 */
public interface FileIo {

    /** Opens {@code file} for reading and writing, creating it if {@code create} and it is missing. */
    FileHandle open(Path file, boolean create) throws IOException;

    /** True if {@code path} names an existing file or directory. */
    boolean exists(Path path) throws IOException;

    /** The names (not paths) of the entries of {@code directory}, in no particular order. */
    List<String> list(Path directory) throws IOException;

    /** Creates {@code directory} and its missing parents. */
    void createDirectories(Path directory) throws IOException;

    /** Deletes {@code file} if it exists. Not durable until {@link #forceDirectory} of its parent. */
    void delete(Path file) throws IOException;

    /**
     * Renames {@code source} to {@code target} atomically, replacing {@code target} if it exists. Not
     * durable until {@link #forceDirectory} of the parent.
     */
    void rename(Path source, Path target) throws IOException;

    /** Makes the entries of {@code directory} (creations, renames, deletions) durable. */
    void forceDirectory(Path directory) throws IOException;

    /**
     * Takes an exclusive lock that keeps other processes from opening the same storage directory, or
     * throws an {@link IOException} saying it is in use. Closing the returned object releases it.
     */
    Closeable lockDirectory(Path directory) throws IOException;

    /** An open file. */
    interface FileHandle extends Closeable {

        /** Reads into {@code dst} from {@code position} until it is full or the file ends; the byte count. */
        int read(java.nio.ByteBuffer dst, long position) throws IOException;

        /** Writes all of {@code src} at {@code position} (extending the file if needed). */
        void write(java.nio.ByteBuffer src, long position) throws IOException;

        /** The file's current size. */
        long size() throws IOException;

        /** Cuts the file to {@code size} bytes. Durable after {@code force(true)}. */
        void truncate(long size) throws IOException;

        /**
         * Makes every write (and, with {@code metadata}, every size change) made through any handle of
         * this file durable. {@code force(false)} is {@code fdatasync}: it still persists a size
         * change needed to read the data back.
         */
        void force(boolean metadata) throws IOException;
    }
}
