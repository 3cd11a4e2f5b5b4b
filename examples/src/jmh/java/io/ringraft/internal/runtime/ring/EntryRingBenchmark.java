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
 * {@link EntryRing}: one op writes the next entry (reclaiming the oldest, as the core does when
 * {@code applied} keeps up), then reads it back through the seqlock into a reader's buffer. The
 * ring has the default {@link RaftConfig} size (16384 slots, 32 MiB arena), so in steady state
 * every write reclaims exactly one slot. Single thread: the read never races a write here.
 *
 * <p>Lives in the ring's package because the ring is package-private; JMH's generated code (in
 * {@code ...jmh_generated}) only sees this public class.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EntryRingBenchmark {

    @Param({"100", "1024"})
    public int payloadBytes;

    private EntryRing ring;
    private final EntryHeader header = new EntryHeader();
    private byte[] payload;
    private byte[] readBuffer;
    private long next;

    @Setup
    public void setup() {
        RaftConfig config = RaftConfig.defaults();
        ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) i;
        }
        readBuffer = new byte[payloadBytes];
        next = 1;
    }

    @Benchmark
    public int writeReadReclaim() {
        long index = next++;
        // Everything before this entry counts as applied: makeRoom reclaims the oldest as needed.
        if (!ring.makeRoom(index, payloadBytes, index - 1)) {
            throw new IllegalStateException("no room for entry " + index);
        }
        ring.write(index, 1, EntryKind.COMMAND, (byte) 1, index, payload, 0, payloadBytes);
        int length = ring.read(index, header, readBuffer, 0);
        if (length != payloadBytes) {
            throw new IllegalStateException("read " + length + " for entry " + index);
        }
        return length + (int) header.correlation;
    }
}
