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

    /**
     * The builder of the benchmark's logs: with {@code fakeForceNanos} -1 real forces; otherwise every
     * force is replaced by a park of that long (0: a no-op, a CPU-only run), never durable.
     */
    public static SharedLog.Builder builder(java.nio.file.Path directory, long fakeForceNanos) {
        SharedLog.Builder builder = SharedLog.builder(directory).nodeId(1);
        return fakeForceNanos < 0 ? builder : builder.fileIo(new BenchFileIo(fakeForceNanos));
    }

    /** What the raw loop does instead of {@code force} when forces are faked. */
    public static void fakeForce(long fakeForceNanos) {
        BenchFileIo.fakeForce(fakeForceNanos);
    }
}
