package io.ringraft.internal.runtime;

import io.ringraft.api.RaftConfig;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.requests.ProposalQueue;
import java.util.concurrent.TimeUnit;
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
 * {@link ProposalQueue#offer} (claim, copy, commit: the one copy of the payload), then {@code CoreTask}'s
 * take that makes each proposal a ring entry in place (the same two {@code makeRoom} calls and the same
 * {@link EntryRing#writeInPlace}), and the freeing of the queue once the ring let go of the entries
 * ({@code CoreTask.freeProposalBytes}: here every entry counts as applied at once, so the ring reclaims
 * them all and the queue frees up to what it took). Proposals are queued in bursts of {@value #BURST} and
 * taken in one take, as under load; the score is per proposal. Not measured: the core's wake-up signal,
 * the engine and the other tasks (see the single-node benchmark for those). Before 2026-12-08 the take
 * copied each payload into the ring's arena ({@code EntryRing.write}) and the queue freed it at once.
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

    private ProposalQueue proposals;
    private EntryRing ring;
    private byte[] payload;
    private int batchEntries;
    private long nextIndex;
    private long correlation;
    private int moved;
    private final ProposalQueue.PinningHandler handler = this::onProposal;

    @Setup
    public void setup() {
        RaftConfig config = RaftConfig.defaults();
        proposals = new ProposalQueue(config.proposalQueueBytes());
        ring = new EntryRing(config.ringCapacityEntries(), config.ringCapacityBytes());
        payload = new byte[payloadBytes];
        batchEntries = config.batchEntries();
        nextIndex = 1;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int proposeAndDrain() {
        for (int i = 0; i < BURST; i++) {
            if (!proposals.offer((byte) 1, ++correlation, payload, 0, payloadBytes)) {
                throw new IllegalStateException("proposal queue full");
            }
        }
        moved = 0;
        // A take takes at most batchEntries proposals (as one duty cycle of the core does).
        for (int takes = 0; moved < BURST; takes++) {
            proposals.take(handler, batchEntries);
            if (takes == 3) {
                throw new IllegalStateException("moved " + moved + " proposals");
            }
        }
        // Everything counts as applied: the ring lets go of it and the queue frees its bytes.
        ring.reclaimEarly(nextIndex - 1);
        proposals.freeUpTo(ring.oldestPin(proposals.consumed()));
        return moved;
    }

    private boolean onProposal(byte origin, long correlationId, byte[] buffer, int offset, int length,
                               long position) {
        long applied = nextIndex - 1; // everything before counts as applied: reclaimable
        if (!ring.makeRoom(nextIndex + 2, 0, applied)
                || !ring.makeRoom(nextIndex, CONFIG_ROOM, applied)) {
            return false;
        }
        ring.writeInPlace(nextIndex, 1, origin, correlationId, buffer, offset, length, position);
        nextIndex++;
        moved++;
        return true;
    }
}
