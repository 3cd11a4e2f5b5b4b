package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.message.HeapLogEntries;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link StreamingSessionStateMachine} over generated faulty logs ({@link SessionLog}: duplicates,
 * reorders, retries, clocks that step back) with a wrapped state machine that applies late, in random
 * steps, sometimes inside its own {@code accept}: every index gets exactly the answer the synchronous
 * {@link SessionStateMachine} gives it (so each operation applies once and duplicates get the first
 * answer, as {@link SessionStateMachineProperties} checks there), progress never runs ahead of an answer,
 * and a snapshot restores into either wrapper.
 */
class StreamingSessionProperties {

    private static RecordedResults synchronousAnswers(SessionLog log, long timeoutMillis, long seed) {
        SessionStateMachine machine = SessionStateMachine.wrap(new CountingStateMachine()).maxSessions(16)
                .maxResultsPerSession(64).sessionTimeout(Duration.ofMillis(timeoutMillis)).build();
        RecordedResults results = new RecordedResults();
        log.apply(machine, results, 0, log.entries.size(), new SplittableRandom(seed));
        return results;
    }

    private static StreamingSessionStateMachine streaming(LateCountingMachine machine, long timeoutMillis) {
        return StreamingSessionStateMachine.wrap(machine).maxSessions(16).maxResultsPerSession(64)
                .sessionTimeout(Duration.ofMillis(timeoutMillis)).build();
    }

    /** Hands entries {@code [from, to)} over in random batches, letting the machine apply some now and then; drains. */
    private static void drive(SessionLog log, StreamingSessionStateMachine wrapper, LateCountingMachine machine,
                              NodeProgress node, int from, int to, SplittableRandom random) {
        int at = from;
        while (at < to) {
            int size = Math.min(to - at, 1 + random.nextInt(8));
            HeapLogEntries.Builder batch = HeapLogEntries.builder(at + 1);
            for (int i = at; i < at + size; i++) {
                batch.add(1, io.ringraft.api.EntryKind.COMMAND, log.entries.get(i));
            }
            wrapper.accept(batch.build(), node);
            at += size;
            if (random.nextBoolean()) {
                machine.applySome(random.nextInt(6));
            }
        }
        while (!machine.handed.isEmpty()) {
            machine.applySome(1 + random.nextInt(4));
        }
    }

    @Property(tries = 300)
    void answersEqualTheSynchronousWrappersWhateverTheStreamsPace(@ForAll long seed,
                                                                   @ForAll @IntRange(min = 1, max = 4) int clients,
                                                                   @ForAll @IntRange(min = 1, max = 25) int ops,
                                                                   @ForAll @IntRange(min = 0, max = 3) int eager) {
        long timeout = seed % 2 == 0 ? 60_000 : 1_000; // half the runs also expire sessions
        SessionLog log = SessionLog.generate(seed, clients, ops, 300);
        RecordedResults expected = synchronousAnswers(log, timeout, seed);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5717);
        LateCountingMachine machine = new LateCountingMachine(() -> random.nextInt(eager + 1));
        NodeProgress node = new NodeProgress();
        drive(log, streaming(machine, timeout), machine, node, 0, log.entries.size(), random);

        assertThat(node.applied).as("progress reaches the last entry").isEqualTo(log.entries.size());
        assertThat(node.byIndex).isEqualTo(expected.byIndex);
        for (int c = 0; c < clients && timeout == 60_000; c++) {
            for (int seq = 1; seq <= ops; seq++) {
                long op = SessionLog.opId(c, seq);
                assertThat(machine.state.applied.getOrDefault(op, 0)).as("applications of op %d", op)
                        .isEqualTo(op % 7 == 0 ? 0 : 1);
            }
        }
    }

    @Property(tries = 150)
    void aSnapshotRestoresIntoEitherWrapperAndKeepsDeduplicating(@ForAll long seed,
                                                                 @ForAll @IntRange(min = 1, max = 4) int clients,
                                                                 @ForAll @IntRange(min = 1, max = 20) int ops)
            throws IOException {
        SessionLog log = SessionLog.generate(seed, clients, ops, 100);
        int cut = new SplittableRandom(seed ^ 0x5eed).nextInt(log.entries.size() + 1);
        SplittableRandom random = new SplittableRandom(seed);
        LateCountingMachine first = new LateCountingMachine(() -> 0);
        StreamingSessionStateMachine replicaA = streaming(first, 60_000);
        NodeProgress answersA = new NodeProgress();
        drive(log, replicaA, first, answersA, 0, cut, random);
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        replicaA.snapshot().writeTo(snapshot); // every command reported: the node may snapshot now
        drive(log, replicaA, first, answersA, cut, log.entries.size(), random);

        LateCountingMachine second = new LateCountingMachine(() -> 1);
        StreamingSessionStateMachine replicaB = streaming(second, 60_000);
        replicaB.restore(new ByteArrayInputStream(snapshot.toByteArray()));
        NodeProgress answersB = new NodeProgress();
        answersB.applied = cut;
        drive(log, replicaB, second, answersB, cut, log.entries.size(), new SplittableRandom(seed + 1));

        CountingStateMachine third = new CountingStateMachine();
        SessionStateMachine replicaC = SessionStateMachine.wrap(third).maxSessions(16).maxResultsPerSession(64)
                .sessionTimeout(Duration.ofMillis(60_000)).build();
        replicaC.restore(new ByteArrayInputStream(snapshot.toByteArray()));
        RecordedResults answersC = new RecordedResults();
        log.apply(replicaC, answersC, cut, log.entries.size(), new SplittableRandom(seed + 2));

        for (long index = cut + 1; index <= log.entries.size(); index++) {
            assertThat(answersB.byIndex.get(index)).as("answer at %d", index).isEqualTo(answersA.byIndex.get(index));
            assertThat(answersC.byIndex.get(index)).as("answer at %d", index).isEqualTo(answersA.byIndex.get(index));
        }
        assertThat(second.state.applied).isEqualTo(first.state.applied).isEqualTo(third.applied);
        assertThat(second.state.applied.values()).allMatch(count -> count == 1);
    }
}
