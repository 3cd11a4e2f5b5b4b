package io.ringraft.storage.wal;

/** What the benchmark ({@code io.ringraft.storage.bench.SharedLogBenchmark}) reads of a shared log's insides. */
public final class WalBenchAccess {

    private WalBenchAccess() {
    }

    /** {@code fdatasync}s issued by flushes so far. */
    public static long flushForces(SharedLog log) {
        return log.flushForces();
    }

    /** WAL files open now. */
    public static int openFiles(SharedLog log) {
        return log.openFiles();
    }
}
