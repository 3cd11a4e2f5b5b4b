package io.ringraft.storage.wal;

import io.ringraft.storage.internal.NioFileIo;
import java.nio.file.Path;

/**
 * The real file layer with {@code force} replaced: a no-op ({@code forceNanos} 0: the benchmark's
 * CPU-only runs, {@code -Dwalbench.fsync=false}), or a park of {@code forceNanos} (a model of a disk
 * whose {@code fdatasync} takes that long, {@code -Dwalbench.fsync=<micros>}). Never durable.
 */
final class BenchFileIo extends ForceHookFileIo {

    private final long forceNanos;

    BenchFileIo(long forceNanos) {
        super(NioFileIo.INSTANCE);
        this.forceNanos = forceNanos;
    }

    /** What the benchmark's raw loop does instead of {@code force} with the same setting. */
    static void fakeForce(long forceNanos) {
        if (forceNanos > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(forceNanos);
        }
    }

    @Override
    protected void force(FileHandle file, boolean metadata) {
        fakeForce(forceNanos);
    }

    @Override
    public void forceDirectory(Path directory) {
    }
}
