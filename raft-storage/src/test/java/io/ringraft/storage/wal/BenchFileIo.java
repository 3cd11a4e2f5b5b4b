package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.NioFileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file layer with {@code force} replaced: a no-op ({@code forceNanos} 0: the benchmark's
 * CPU-only runs, {@code -Dwalbench.fsync=false}), or a park of {@code forceNanos} (a model of a disk
 * whose {@code fdatasync} takes that long, {@code -Dwalbench.fsync=<micros>}). Never durable.
 */
final class BenchFileIo implements FileIo {

    private final FileIo real = NioFileIo.INSTANCE;
    private final long forceNanos;

    BenchFileIo(long forceNanos) {
        this.forceNanos = forceNanos;
    }

    /** What the benchmark's raw loop does instead of {@code force} with the same setting. */
    static void fakeForce(long forceNanos) {
        if (forceNanos > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(forceNanos);
        }
    }

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
            public void force(boolean metadata) {
                fakeForce(forceNanos);
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
    public void forceDirectory(Path directory) {
    }

    @Override
    public Closeable lockDirectory(Path directory) throws IOException {
        return real.lockDirectory(directory);
    }
}
