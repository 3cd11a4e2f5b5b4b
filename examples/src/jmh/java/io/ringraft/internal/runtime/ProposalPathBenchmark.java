package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.RaftConfig;
import io.ringraft.internal.runtime.ring.EntryRing;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The proposal queue path of one node, on one thread: {@code NodeRuntime.tryPropose}'s
 * claim / write / commit on the {@link ManyToOneRingBuffer}, then {@code CoreTask}'s controlled read
 * that moves each proposal into the {@link EntryRing} (the same two {@code makeRoom} calls and the
 * same {@code write}). Proposals are queued in bursts of {@value #BURST} and drained in one read,
 * as under load; the score is per proposal. Not measured: the core's wake-up signal, the engine and
 * the other tasks (see the single-node benchmark for those).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProposalPathBenchmark {

    static final int BURST = 64;
    /** As in CoreTask: room kept free for a configuration entry. */
    private static final int CONFIG_ROOM = 4096;

    @Param({"100", "1024"})
    public int payloadBytes;

    private ManyToOneRingBuffer proposals;
    private EntryRing ring;
    private UnsafeBuffer payload;
    private int batchEntries;
    private long nextIndex;
    private long correlation;
    private int moved;
    private final ControlledMessageHandler handler = this::onProposal;

    @Setup
    public void setup() {
        RaftConfig config = RaftConfig.defaults();
        proposals = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
                config.proposalQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
        ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        payload = new UnsafeBuffer(new byte[payloadBytes]);
        batchEntries = config.batchEntries();
        nextIndex = 1;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int proposeAndDrain() {
        for (int i = 0; i < BURST; i++) {
            int claim = proposals.tryClaim(1, payloadBytes + Long.BYTES);
            if (claim <= 0) {
                throw new IllegalStateException("proposal queue full");
            }
            MutableDirectBuffer buffer = proposals.buffer();
            buffer.putLong(claim, ++correlation);
            buffer.putBytes(claim + Long.BYTES, payload, 0, payloadBytes);
            proposals.commit(claim);
        }
        moved = 0;
        // A read stops at the end of the queue's buffer (and a wrap leaves a padding record), so the
        // burst may take two reads, as it would take two duty cycles of the core.
        for (int reads = 0; moved < BURST; reads++) {
            proposals.controlledRead(handler, batchEntries);
            if (reads == 3) {
                throw new IllegalStateException("moved " + moved + " proposals");
            }
        }
        return moved;
    }

    private ControlledMessageHandler.Action onProposal(int origin, MutableDirectBuffer buffer, int offset,
                                                       int length) {
        long correlationId = buffer.getLong(offset);
        int payloadLength = length - Long.BYTES;
        long applied = nextIndex - 1; // everything before counts as applied: reclaimable
        if (!ring.makeRoom(nextIndex + 2, 0, applied)
                || !ring.makeRoom(nextIndex, payloadLength + CONFIG_ROOM, applied)) {
            return ControlledMessageHandler.Action.ABORT;
        }
        ring.write(nextIndex, 1, EntryKind.COMMAND, (byte) origin, correlationId, buffer,
                offset + Long.BYTES, payloadLength);
        nextIndex++;
        moved++;
        return ControlledMessageHandler.Action.CONTINUE;
    }
}
