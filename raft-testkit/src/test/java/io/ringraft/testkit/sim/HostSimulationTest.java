package io.ringraft.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The randomized host simulation ({@link HostSimulation#run}) over a range of seeds: 3 hosts, 3 groups,
 * quiescence on, busy and idle periods, host crashes and partitions. Seeds
 * {@code ringraft.hostsim.firstSeed} .. {@code + ringraft.hostsim.seeds - 1} (defaults 1 and 50).
 * Prints one summary line, and each failing seed with the command that replays it.
 */
class HostSimulationTest {

    @Test
    void everySeedKeepsEachGroupsInvariantsConvergesAndGoesQuiet() {
        long first = Long.getLong("ringraft.hostsim.firstSeed", 1);
        int count = Integer.getInteger("ringraft.hostsim.seeds", 50);
        long steps = 0;
        long reports = 0;
        List<String> violations = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            HostSimulation sim = new HostSimulation(seed, 3, 3, HostScenariosTest.CONFIG, 2);
            try {
                sim.run(8_000, 60_000);
            } catch (AssertionError | RuntimeException e) {
                if (e instanceof RuntimeException) {
                    e.printStackTrace();
                }
                violations.add("seed " + seed + ": " + e + "\n  replay: mvn -B -pl raft-testkit -am verify"
                        + " -Dringraft.hostsim.seeds=1 -Dringraft.hostsim.firstSeed=" + seed
                        + " -Dtest=HostSimulationTest -Dsurefire.failIfNoSpecifiedTests=false");
            }
            steps += sim.steps();
            reports += sim.unreachableReports;
        }
        System.out.println("host simulation: " + count + " seeds from " + first + ", " + steps + " steps, "
                + reports + " unreachable-host reports, " + violations.size() + " violations");
        violations.forEach(System.out::println);
        assertThat(violations).isEmpty();
        if (count >= 20) {
            assertThat(reports).as("the nemesis made hosts lose each other").isPositive();
        }
    }

    @Test
    void dormantGroupsKeepEachGroupsInvariantsConvergeAndGoQuietUnderTheSameChaos() {
        // Host groups start dormant (RaftConfig.startDormant): every restarted replica too. The clients'
        // proposals and reads are the demand that makes groups elect.
        io.ringraft.api.RaftConfig dormant = SimOptions.smallBuilder().snapshotIntervalEntries(48)
                .snapshotLogTailEntries(8).snapshotChunkBytes(64).quiesceAfterMillis(200).startDormant(true).build();
        long first = Long.getLong("ringraft.hostsim.dormantFirstSeed", 1001);
        int count = Integer.getInteger("ringraft.hostsim.dormantSeeds", 20);
        List<String> violations = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            HostSimulation sim = new HostSimulation(seed, 3, 3, dormant, 2);
            try {
                sim.run(8_000, 60_000);
            } catch (AssertionError | RuntimeException e) {
                violations.add("seed " + seed + ": " + e);
            }
        }
        violations.forEach(System.out::println);
        assertThat(violations).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSameTrace() {
        HostSimulation first = new HostSimulation(7, 3, 2, HostScenariosTest.CONFIG, 2);
        first.run(3_000, 60_000);
        HostSimulation second = new HostSimulation(7, 3, 2, HostScenariosTest.CONFIG, 2);
        second.run(3_000, 60_000);
        assertThat(second.traceHash()).isEqualTo(first.traceHash());
        assertThat(second.steps()).isEqualTo(first.steps());
    }
}
