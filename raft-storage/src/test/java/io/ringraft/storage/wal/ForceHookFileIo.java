package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A file layer for tests and benchmarks that passes every call to {@code real} except a file's
 * {@code force}, which goes to {@link #force(FileHandle, boolean)}: what a subclass does instead (hold it
 * behind a gate, park, skip it). Directory forces pass through unless {@link #forceDirectory} is overridden.
 */
abstract class ForceHookFileIo implements FileIo {

    /** The layer every other call goes to. */
    protected final FileIo real;

    ForceHookFileIo(FileIo real) {
        this.real = real;
    }

    /**
     * Runs in place of {@code file.force(metadata)} on a file this layer opened.
     *
     * @param file the real layer's handle (call its {@code force} to force for real)
     * @param metadata as passed to {@code force}
     * @throws IOException as the real force would
     */
    protected abstract void force(FileHandle file, boolean metadata) throws IOException;

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        FileHandle handle = real.open(file, create);
        return new FileHandle() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return handle.read(dst, position);
            }

            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                handle.write(src, position);
            }

            @Override
            public long size() throws IOException {
                return handle.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                handle.truncate(size);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                ForceHookFileIo.this.force(handle, metadata);
            }

            @Override
            public void close() throws IOException {
                handle.close();
            }
        };
    }

    @Override
    public boolean exists(Path path) throws IOException {
        return real.exists(path);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        return real.list(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        real.createDirectories(directory);
    }

    @Override
    public void delete(Path file) throws IOException {
        real.delete(file);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        real.rename(source, target);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        real.forceDirectory(directory);
    }

    @Override
    public Closeable lockDirectory(Path directory) throws IOException {
        return real.lockDirectory(directory);
    }
}
