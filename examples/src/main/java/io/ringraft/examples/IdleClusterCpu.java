package io.ringraft.examples;

import com.sun.management.OperatingSystemMXBean;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.StateMachine;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the CPU an idle 3-node cluster uses: default configuration, dedicated task threads,
 * in-process network and in-memory storage. Waits for the election to settle, then reports the
 * process CPU time over a measurement window as a percentage of one core. The figure goes to
 * {@code docs/benchmarks.md}; it is a measurement, not a test.
 *
 * <p>Usage: {@code IdleClusterCpu [measureSeconds]} (default 20).
 */
public final class IdleClusterCpu {

    private IdleClusterCpu() {
    }

    public static void main(String[] args) throws InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        LocalNetwork network = new LocalNetwork();
        List<RaftNode> nodes = new ArrayList<>();
        StateMachine nothing = (entries, results) -> { };
        for (long id = 1; id <= 3; id++) {
            RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).stateMachine(nothing)
                    .logStorage(new InMemoryLogStorage()).transport(network).build();
            node.start();
            nodes.add(node);
        }
        Thread.sleep(3_000); // the election settles; then nothing happens but heartbeats
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long wallBefore = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        System.out.printf("idle 3-node cluster (default config, dedicated threads): %.2f%% of one core over %.0f s%n",
                100.0 * cpu / wall, wall / 1e9);
        nodes.forEach(RaftNode::close);
    }
}
