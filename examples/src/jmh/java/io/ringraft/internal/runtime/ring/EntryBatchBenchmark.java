package io.ringraft.internal.runtime.ring;

import io.ringraft.api.EntryKind;
import io.ringraft.api.RaftConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link EntryBatch#addFromRing}: one op clears a batch and copies {@value #BATCH} consecutive
 * entries out of the ring into it, as a log writer, applier or replicator fills its batch. The
 * score is batches per second (multiply by 64 for entries).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EntryBatchBenchmark {

    static final int BATCH = 64;

    @Param({"100", "1024"})
    public int payloadBytes;

    private EntryRing ring;
    private EntryBatch batch;

    @Setup
    public void setup() {
        RaftConfig config = RaftConfig.defaults();
        ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        byte[] payload = new byte[payloadBytes];
        for (long index = 1; index <= BATCH; index++) {
            ring.write(index, 1, EntryKind.COMMAND, (byte) 1, index, payload, 0, payloadBytes);
        }
        batch = new EntryBatch(BATCH, BATCH * payloadBytes);
    }

    @Benchmark
    public int addFromRing64() {
        batch.clear(1);
        while (batch.addFromRing(ring)) {
            // fills until the batch is full
        }
        if (batch.count() != BATCH) {
            throw new IllegalStateException("batch holds " + batch.count());
        }
        return batch.count();
    }
}
