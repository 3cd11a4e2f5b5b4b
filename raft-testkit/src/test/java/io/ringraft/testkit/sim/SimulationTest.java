package io.ringraft.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulation over a range of seeds: {@code ringraft.sim.firstSeed} ..
 * {@code firstSeed + ringraft.sim.seeds - 1} (the build passes both; defaults 1 and 200). Prints one
 * summary line, and for each failing seed the violation and the command that replays it.
 */
class SimulationTest {

    @Test
    void everySeedKeepsRaftsInvariantsAndConverges() {
        long first = Long.getLong("ringraft.sim.firstSeed", 1);
        int count = Integer.getInteger("ringraft.sim.seeds", 200);
        long steps = 0;
        long[] snapshots = new long[3];
        long forwards = 0;
        long streamingSeeds = 0;
        List<String> violations = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            KvSimulation simulation = new KvSimulation(seed, SimOptions.defaults());
            try {
                simulation.run();
            } catch (AssertionError | RuntimeException e) {
                if (e instanceof RuntimeException) {
                    e.printStackTrace(); // a bug in the node or the harness: where matters
                }
                violations.add("seed " + seed + ": " + e + "\n  replay: mvn -B -pl raft-testkit -am verify"
                        + " -Dringraft.sim.seeds=1 -Dringraft.sim.firstSeed=" + seed
                        + " -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false");
            }
            steps += simulation.steps();
            forwards += simulation.forwardsAppended();
            streamingSeeds += simulation.streamingIncarnations() > 0 ? 1 : 0;
            for (int i = 0; i < snapshots.length; i++) {
                snapshots[i] += simulation.snapshotCounts()[i];
            }
            if (seed == first) {
                System.out.println("simulation: seed " + seed + " clients: " + simulation.workloadSummary());
            }
        }
        System.out.println("simulation: " + count + " seeds, " + steps + " steps, " + violations.size()
                + " violations; snapshots: " + snapshots[0] + " taken, " + snapshots[1] + " restored, "
                + snapshots[2] + " chunks sent; " + forwards + " forwarded commands appended; " + streamingSeeds
                + " seeds with streaming state machines");
        violations.forEach(System.out::println);
        assertThat(violations).isEmpty();
        if (count < 20) {
            return; // a replay of a few seeds need not exercise everything
        }
        // The nemesis must make nodes snapshot, compact, and catch followers up by snapshot.
        assertThat(snapshots[0]).as("snapshots taken").isPositive();
        assertThat(snapshots[1]).as("snapshots restored").isPositive();
        assertThat(snapshots[2]).as("snapshot chunks sent").isPositive();
        assertThat(forwards).as("commands forwarded by followers and appended by a leader").isPositive();
        assertThat(streamingSeeds).as("seeds that ran streaming state machines").isGreaterThan(count / 4);
    }

    @Test
    void theSameSeedGivesTheSameTrace() {
        KvSimulation first = new KvSimulation(42, SimOptions.defaults().withChaosSteps(2_000));
        first.run();
        KvSimulation second = new KvSimulation(42, SimOptions.defaults().withChaosSteps(2_000));
        second.run();
        assertThat(second.traceHash()).isEqualTo(first.traceHash());
        assertThat(second.steps()).isEqualTo(first.steps());
        KvSimulation other = new KvSimulation(43, SimOptions.defaults().withChaosSteps(2_000));
        other.run();
        assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
    }
}
