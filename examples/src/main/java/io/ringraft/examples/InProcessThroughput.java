package io.ringraft.examples;

import com.sun.management.ThreadMXBean;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.StateMachine;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An early, in-process measurement of the runtime alone: 3 nodes in one JVM over
 * {@link LocalNetwork} with in-memory storage (no disk, no TCP), one driver thread keeping a
 * window of proposals outstanding through the allocation-free {@code tryPropose}. Prints ops/s,
 * and bytes allocated per op by the whole JVM. It is not the benchmark of record (that one runs
 * over TCP with durable storage); it shows what the core, ring and tasks cost by themselves.
 *
 * <p>Usage: {@code InProcessThroughput [payloadBytes] [window] [seconds]} (defaults 100, 256, 10).
 */
public final class InProcessThroughput {

    private InProcessThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int payloadBytes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Semaphore permits = new Semaphore(window);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ProposalListener listener = new ProposalListener() {
            @Override
            public void onApplied(long correlationId, long index, Object result) {
                completed.incrementAndGet();
                permits.release();
            }

            @Override
            public void onFailed(long correlationId, RaftException reason) {
                if (failed.incrementAndGet() % 100_000 == 1) {
                    System.out.println("failure: " + reason);
                }
                permits.release();
            }
        };
        StateMachine counter = (entries, results) -> { };
        LocalNetwork network = new LocalNetwork();
        List<RaftNode> nodes = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(Boolean.getBoolean("ringraft.slowElections") ? RaftConfig.builder().electionTimeoutMillis(1000).build() : RaftConfig.defaults())
                    .stateMachine(counter).logStorage(new InMemoryLogStorage()).transport(network)
                    .proposalListener(listener)
                    .stateListener(status -> {
                        if (Boolean.getBoolean("ringraft.verbose")) {
                            System.out.println(System.nanoTime() / 1_000_000 + " ms: " + status.nodeId() + " "
                                    + status.role() + " term " + status.term() + " leader " + status.leaderId());
                        }
                    }).build();
            node.start();
            nodes.add(node);
        }
        RaftNode leader = null;
        while (leader == null) {
            Thread.sleep(50);
            leader = nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null);
        }
        byte[] payload = new byte[payloadBytes];
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long warmupEnd = System.nanoTime() + 3_000_000_000L;
        long measureEnd = warmupEnd + seconds * 1_000_000_000L;
        long startOps = 0;
        long startBytes = 0;
        boolean measuring = false;
        long id = 0;
        while (true) {
            long now = System.nanoTime();
            if (!measuring && now >= warmupEnd) {
                measuring = true;
                startOps = completed.get();
                startBytes = threads.getTotalThreadAllocatedBytes();
            }
            if (now >= measureEnd) {
                break;
            }
            permits.acquire();
            if (!leader.tryPropose(payload, 0, payloadBytes, ++id).accepted()) {
                permits.release();
                Thread.onSpinWait();
            }
        }
        long ops = completed.get() - startOps;
        long bytes = threads.getTotalThreadAllocatedBytes() - startBytes;
        System.out.printf("in-process 3 nodes, payload %d B, window %d: %.0f ops/s, %.0f B allocated per op"
                        + " (whole JVM), %d failed%n",
                payloadBytes, window, ops / (double) seconds, bytes / (double) Math.max(1, ops), failed.get());
        if (Boolean.getBoolean("ringraft.verbose")) {
            nodes.forEach(n -> System.out.println(n.status()));
        }
        nodes.forEach(RaftNode::close);
    }
}
