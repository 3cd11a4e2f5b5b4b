package io.ringraft.examples.jmh;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.metrics.micrometer.MicrometerRaftMetrics;
import io.ringraft.spi.RaftMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The progress pointers and tasks end to end, through the public allocation-free API: a
 * single-node group (it commits alone) with {@link InMemoryLogStorage} and default
 * {@link RaftConfig}. One op is one {@code tryPropose} of a 100 B payload, keeping at most
 * {@value #WINDOW} proposals outstanding (counted back by the {@link ProposalListener} when
 * applied), so the score is the node's sustained propose-to-apply rate: proposal queue, core, ring,
 * log writer, flushed / committed / applied pointers, applier and listener.
 *
 * <p>JMH's {@code -prof gc} counts the allocation of every thread of the JVM, so B/op includes the
 * node's own threads; {@code InMemoryLogStorage} keeps a {@code byte[]} copy of every entry for
 * ever, which is part of that figure (and the heap grows with the run).
 *
 * <p>{@code metrics}: {@code none} builds the node with the default {@code RaftMetrics.NONE} (what the
 * hooks cost when nobody listens), {@code micrometer} with a {@code MicrometerRaftMetrics} on a
 * {@code SimpleMeterRegistry} (timers with histogram buckets recorded per batch).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SingleNodeProposeBenchmark {

    static final int WINDOW = 256;

    @Param({"100"})
    public int payloadBytes;

    @Param({"none", "micrometer"})
    public String metrics;

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private RaftNode node;
    private byte[] payload;
    private long submitted;

    @Setup
    public void setup() throws InterruptedException {
        ProposalListener listener = new ProposalListener() {
            @Override
            public void onApplied(long correlationId, long index, Object result) {
                applied.lazySet(applied.get() + 1); // one applier thread
            }

            @Override
            public void onFailed(long correlationId, RaftException reason) {
                failed.incrementAndGet();
                applied.lazySet(applied.get() + 1);
            }
        };
        RaftMetrics raftMetrics = switch (metrics) {
            case "none" -> RaftMetrics.NONE;
            case "micrometer" -> new MicrometerRaftMetrics(new SimpleMeterRegistry());
            default -> throw new IllegalArgumentException("metrics must be none or micrometer, got " + metrics);
        };
        node = RaftNode.builder().nodeId(1).voters(1).config(RaftConfig.defaults())
                .stateMachine((entries, results) -> { })
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork())
                .proposalListener(listener).metrics(raftMetrics).build();
        node.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!node.status().isLeader()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("single node did not become leader: " + node.status());
            }
            Thread.sleep(10);
        }
        payload = new byte[payloadBytes];
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        // Let the proposals still in flight apply: closing fails them (indeterminate), which is not a failure
        // of the benchmark.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (applied.get() < submitted && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        node.close();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " proposals failed");
        }
    }

    @Benchmark
    public long tryPropose() {
        while (submitted - applied.get() >= WINDOW) {
            Thread.yield(); // 2 cores: leave the node's threads the CPU
        }
        long id = ++submitted;
        while (!node.tryPropose(payload, 0, payloadBytes, id).accepted()) {
            Thread.yield(); // proposal queue full
        }
        return id;
    }
}
