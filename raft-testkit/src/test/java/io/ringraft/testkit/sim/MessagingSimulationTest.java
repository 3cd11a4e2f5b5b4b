package io.ringraft.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.messaging.OutboxSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The messaging simulation ({@link MessagingSimulation#run}: bank groups on 3 hosts under the nemesis) over
 * seeds {@code ringraft.msgsim.firstSeed} .. {@code + ringraft.msgsim.seeds - 1} (defaults 1 and 10; run
 * more with {@code -Dringraft.msgsim.seeds=500}; {@code -Dringraft.msgsim.inFlight=N} sets the deliveries in flight
 * per pair, default {@link OutboxSettings#DEFAULT_BATCHES_IN_FLIGHT}). Prints one summary line, and each failing seed with the
 * command that replays it.
 */
class MessagingSimulationTest {

    static final RaftConfig CONFIG = SimOptions.smallBuilder().snapshotIntervalEntries(48).snapshotLogTailEntries(8)
            .snapshotChunkBytes(64).build();
    /** A small outbox (often full under partitions) and batches that fit the small config's 512-byte entries. */
    static final OutboxSettings SETTINGS = new OutboxSettings(48, 32, 8, 480, Duration.ofMillis(20),
            Integer.getInteger("ringraft.msgsim.inFlight", OutboxSettings.DEFAULT_BATCHES_IN_FLIGHT));

    @Test
    void everySeedDeliversEachMessageExactlyOnceInOrderAndConservesMoney() {
        runSeeds(Long.getLong("ringraft.msgsim.firstSeed", 1), Integer.getInteger("ringraft.msgsim.seeds", 10), false);
    }

    /**
     * The same with the deliverers on the remote route (straight to the target's leader, answers lost as often
     * as messages on a lossy network: the path of {@code MessageRoute.through(RaftClient)} without its wire);
     * {@code -Dringraft.msgsim.remoteSeeds} seeds from {@code ringraft.msgsim.firstSeed} (default 5).
     */
    @Test
    void everySeedDeliversExactlyOnceInOrderOnTheRemoteRoute() {
        runSeeds(Long.getLong("ringraft.msgsim.firstSeed", 1), Integer.getInteger("ringraft.msgsim.remoteSeeds", 5), true);
    }

    private static void runSeeds(long first, int count, boolean remote) {
        int groups = Integer.getInteger("ringraft.msgsim.groups", 3);
        long steps = 0;
        long deliveries = 0;
        long transfers = 0;
        long crashes = 0;
        long refusals = 0;
        long membershipChanges = 0;
        long answersLost = 0;
        List<String> violations = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            MessagingSimulation sim = new MessagingSimulation(seed, 3, groups, CONFIG, SETTINGS, remote);
            try {
                sim.run(8_000, 80_000);
            } catch (AssertionError | RuntimeException e) {
                violations.add("seed " + seed + ": " + e + (e.getCause() != null ? " caused by " + e.getCause() : "")
                        + "\n  replay: ./mvnw -o -B test -pl raft-testkit -am -Dringraft.msgsim.seeds=1"
                        + " -Dringraft.msgsim.firstSeed=" + seed
                        + (remote ? " -Dringraft.msgsim.remoteSeeds=1 -Dtest=MessagingSimulationTest#everySeedDeliversExactlyOnceInOrderOnTheRemoteRoute"
                        : " -Dtest=MessagingSimulationTest#everySeedDeliversEachMessageExactlyOnceInOrderAndConservesMoney")
                        + " -Dsurefire.failIfNoSpecifiedTests=false");
            }
            steps += sim.steps();
            deliveries += sim.deliveries;
            transfers += sim.transfersProposed;
            crashes += sim.crashes;
            refusals += sim.refusals;
            membershipChanges += sim.membershipChanges;
            answersLost += sim.remoteAnswersLost;
        }
        System.out.println("messaging simulation" + (remote ? " (remote route, " + answersLost + " answers lost)" : "")
                + ": " + count + " seeds from " + first + ", " + groups + " groups, "
                + steps + " steps, " + transfers + " transfers proposed, " + deliveries + " deliveries, " + crashes
                + " host crashes, " + membershipChanges + " membership changes, " + refusals + " refusals at the high-water mark, " + violations.size()
                + " violations");
        violations.forEach(System.out::println);
        assertThat(violations).isEmpty();
        assertThat(deliveries).as("messages crossed groups").isPositive();
        if (count >= 10) {
            assertThat(membershipChanges).as("the nemesis changed memberships").isPositive();
        }
    }

    @Test
    void theSameSeedGivesTheSameTrace() {
        MessagingSimulation first = new MessagingSimulation(3, 3, 2, CONFIG, SETTINGS);
        first.run(2_000, 80_000);
        MessagingSimulation second = new MessagingSimulation(3, 3, 2, CONFIG, SETTINGS);
        second.run(2_000, 80_000);
        assertThat(second.traceHash()).isEqualTo(first.traceHash());
        assertThat(second.steps()).isEqualTo(first.steps());
    }
}
