package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.client.RecordedResults.Answer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Exactly-once properties of {@link SessionStateMachine} over generated faulty logs. */
class SessionStateMachineProperties {

    private static SessionStateMachine wrapper(CountingStateMachine machine, long timeoutMillis) {
        return SessionStateMachine.wrap(machine).maxSessions(16).maxResultsPerSession(64)
                .sessionTimeout(Duration.ofMillis(timeoutMillis)).build();
    }

    @Property(tries = 300)
    void duplicatesReordersAndRetriesApplyOnceAndGetTheFirstAnswer(@ForAll long seed,
                                                                   @ForAll @IntRange(min = 1, max = 4) int clients,
                                                                   @ForAll @IntRange(min = 1, max = 25) int ops) {
        SessionLog log = SessionLog.generate(seed, clients, ops, 100);
        CountingStateMachine machine = new CountingStateMachine();
        RecordedResults results = new RecordedResults();
        log.apply(wrapper(machine, 60_000), results, 0, log.entries.size(), new SplittableRandom(seed));

        for (int c = 0; c < clients; c++) {
            for (int seq = 1; seq <= ops; seq++) {
                long op = SessionLog.opId(c, seq);
                assertThat(machine.applied.getOrDefault(op, 0)).as("applications of op %d", op)
                        .isEqualTo(op % 7 == 0 ? 0 : 1);
            }
        }
        checkDuplicatesGetTheFirstAnswer(log, results);
    }

    @Property(tries = 200)
    void aSnapshotRestoredOnAnotherReplicaKeepsDeduplicating(@ForAll long seed,
                                                             @ForAll @IntRange(min = 1, max = 4) int clients,
                                                             @ForAll @IntRange(min = 1, max = 20) int ops) throws IOException {
        SessionLog log = SessionLog.generate(seed, clients, ops, 100);
        int cut = new SplittableRandom(seed ^ 0x5eed).nextInt(log.entries.size() + 1);

        CountingStateMachine first = new CountingStateMachine();
        SessionStateMachine replicaA = wrapper(first, 60_000);
        RecordedResults answersA = new RecordedResults();
        log.apply(replicaA, answersA, 0, cut, new SplittableRandom(seed));
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        replicaA.snapshot().writeTo(snapshot);
        log.apply(replicaA, answersA, cut, log.entries.size(), new SplittableRandom(seed + 1));

        CountingStateMachine second = new CountingStateMachine();
        SessionStateMachine replicaB = wrapper(second, 60_000);
        replicaB.restore(new ByteArrayInputStream(snapshot.toByteArray()));
        RecordedResults answersB = new RecordedResults();
        log.apply(replicaB, answersB, cut, log.entries.size(), new SplittableRandom(seed + 2));

        for (long index = cut + 1; index <= log.entries.size(); index++) {
            assertThat(answersB.byIndex.get(index)).as("answer at %d", index).isEqualTo(answersA.byIndex.get(index));
        }
        assertThat(second.applied).isEqualTo(first.applied);
        assertThat(second.applied.values()).allMatch(count -> count == 1);
    }

    @Property(tries = 200)
    void sessionsExpireByLogTimeAlikeOnEveryReplica(@ForAll long seed,
                                                    @ForAll @IntRange(min = 1, max = 4) int clients,
                                                    @ForAll @IntRange(min = 1, max = 20) int ops) {
        long timeout = 1_000;
        SessionLog log = SessionLog.generate(seed, clients, ops, 400); // steps up to 400 ms: some gaps exceed 1 s
        RecordedResults answersA = new RecordedResults();
        RecordedResults answersB = new RecordedResults();
        log.apply(wrapper(new CountingStateMachine(), timeout), answersA, 0, log.entries.size(), new SplittableRandom(seed));
        log.apply(wrapper(new CountingStateMachine(), timeout), answersB, 0, log.entries.size(),
                new SplittableRandom(~seed));
        assertThat(answersB.byIndex).isEqualTo(answersA.byIndex);

        // oracle: an independent, naive session table over the same log
        Map<Long, Long> lastActive = new HashMap<>();
        long logTime = Long.MIN_VALUE;
        for (int i = 0; i < log.entries.size(); i++) {
            java.nio.ByteBuffer entry = java.nio.ByteBuffer.wrap(log.entries.get(i));
            long index = i + 1;
            byte type = entry.get(0);
            long stamped = type == SessionCommands.REGISTER ? entry.getLong(1) : entry.getLong(25);
            logTime = Math.max(logTime, stamped);
            long now = logTime;
            lastActive.values().removeIf(last -> now - last > timeout);
            if (type == SessionCommands.REGISTER) {
                lastActive.put(index, now);
                continue;
            }
            long client = entry.getLong(1);
            Answer answer = answersA.byIndex.get(index);
            if (lastActive.containsKey(client)) {
                lastActive.put(client, now);
                assertThat(answer.code()).as("entry %d", index).isNotEqualTo(SessionCommands.SESSION_EXPIRED);
            } else {
                assertThat(answer).as("entry %d", index).isEqualTo(new Answer(null, true, SessionCommands.SESSION_EXPIRED));
            }
        }
    }

    private static void checkDuplicatesGetTheFirstAnswer(SessionLog log, RecordedResults results) {
        Map<Long, Answer> first = new HashMap<>();
        Map<Long, Long> ackedBelowByClient = new HashMap<>();
        Set<Long> checked = new HashSet<>();
        for (long index = 1; index <= log.entries.size(); index++) {
            Long op = log.opAt.get(index);
            if (op == null) {
                continue;
            }
            java.nio.ByteBuffer entry = java.nio.ByteBuffer.wrap(log.entries.get((int) index - 1));
            long client = entry.getLong(1);
            long seq = entry.getLong(9);
            long acked = Math.max(ackedBelowByClient.getOrDefault(client, 1L), Math.min(entry.getLong(17), seq));
            ackedBelowByClient.put(client, acked);
            Answer answer = results.byIndex.get(index);
            Answer earlier = first.putIfAbsent(op, answer);
            if (earlier == null) {
                assertThat(answer.rejected() ? answer.code() : 0).as("first copy of op %d", op)
                        .isEqualTo(op % 7 == 0 ? 7 : 0);
            } else if (seq < acked) {
                assertThat(answer).as("late copy of acknowledged op %d", op)
                        .isIn(earlier, new Answer(null, true, SessionCommands.STALE_SEQUENCE));
            } else {
                assertThat(answer).as("duplicate of op %d at %d", op, index).isEqualTo(earlier);
            }
            checked.add(op);
        }
        assertThat(checked).isNotEmpty();
    }
}
