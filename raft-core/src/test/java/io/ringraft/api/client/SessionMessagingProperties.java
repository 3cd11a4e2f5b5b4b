package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.client.RecordedResults.Answer;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.MessagingStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link SessionMessagingStateMachine} (sessions inside a messaging group's envelope) over the generated
 * faulty logs of {@link SessionLog}: every index gets the answer the synchronous {@link SessionStateMachine}
 * gives it, with the application's refusals going through the messaging context; snapshots restore.
 */
class SessionMessagingProperties {

    /** {@link CountingStateMachine} as a messaging application: refusals through the context. */
    private static final class CountingApplication implements MessagingStateMachine {
        final CountingStateMachine counting = new CountingStateMachine();

        @Override
        public Object apply(io.ringraft.api.Bytes command, ApplyContext context) {
            long id = command.getLong(0);
            if (id % 7 == 0) {
                context.reject(7, "id " + id + " is refused");
                return null;
            }
            counting.applied.merge(id, 1, Integer::sum);
            counting.total++;
            return java.nio.ByteBuffer.allocate(8).putLong(counting.total).array();
        }

        @Override
        public void receive(InboundMessage message, ApplyContext context) {
            throw new AssertionError("no messages in this test");
        }

        @Override
        public io.ringraft.spi.StateMachine.Snapshot snapshot() {
            return counting.snapshot();
        }

        @Override
        public void restore(java.io.InputStream data) throws IOException {
            counting.restore(data);
        }
    }

    /** The messaging layer's context for one command: records its refusal. */
    private static final class Context implements ApplyContext {
        final long index;
        Answer refused;

        Context(long index) {
            this.index = index;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public boolean emit(long targetGroup, byte[] key, byte[] payload) {
            throw new AssertionError("no messages in this test");
        }

        @Override
        public void reject(int code, String message) {
            refused = new Answer(null, true, code);
        }
    }

    private static SessionMessagingStateMachine wrapper(CountingApplication application, long timeoutMillis) {
        return SessionMessagingStateMachine.wrap(application).maxSessions(16).maxResultsPerSession(64)
                .sessionTimeout(Duration.ofMillis(timeoutMillis)).build();
    }

    private static void applyAll(SessionLog log, SessionMessagingStateMachine machine, Map<Long, Answer> answers,
                                 int from, int to) {
        for (int i = from; i < to; i++) {
            long index = i + 1;
            Context context = new Context(index);
            byte[] entry = log.entries.get(i);
            Object result = machine.apply(HeapLogEntries.builder(index).add(1, io.ringraft.api.EntryKind.COMMAND,
                    entry).build().payloadAt(0), context);
            answers.put(index, context.refused != null ? context.refused : new Answer((byte[]) result, false, 0));
        }
    }

    @Property(tries = 300)
    void answersEqualTheSynchronousWrappers(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int clients,
                                            @ForAll @IntRange(min = 1, max = 25) int ops) {
        long timeout = seed % 2 == 0 ? 60_000 : 1_000;
        SessionLog log = SessionLog.generate(seed, clients, ops, 300);
        SessionStateMachine synchronous = SessionStateMachine.wrap(new CountingStateMachine()).maxSessions(16)
                .maxResultsPerSession(64).sessionTimeout(Duration.ofMillis(timeout)).build();
        RecordedResults expected = new RecordedResults();
        log.apply(synchronous, expected, 0, log.entries.size(), new SplittableRandom(seed));

        CountingApplication application = new CountingApplication();
        Map<Long, Answer> answers = new HashMap<>();
        applyAll(log, wrapper(application, timeout), answers, 0, log.entries.size());
        assertThat(answers).isEqualTo(expected.byIndex);
    }

    @Property(tries = 150)
    void aSnapshotRestoredElsewhereKeepsDeduplicating(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int clients,
                                                      @ForAll @IntRange(min = 1, max = 20) int ops) throws IOException {
        SessionLog log = SessionLog.generate(seed, clients, ops, 100);
        int cut = new SplittableRandom(seed ^ 0x5eed).nextInt(log.entries.size() + 1);
        CountingApplication first = new CountingApplication();
        SessionMessagingStateMachine replicaA = wrapper(first, 60_000);
        Map<Long, Answer> answersA = new HashMap<>();
        applyAll(log, replicaA, answersA, 0, cut);
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        replicaA.snapshot().writeTo(snapshot);
        applyAll(log, replicaA, answersA, cut, log.entries.size());

        CountingApplication second = new CountingApplication();
        SessionMessagingStateMachine replicaB = wrapper(second, 60_000);
        replicaB.restore(new ByteArrayInputStream(snapshot.toByteArray()));
        Map<Long, Answer> answersB = new HashMap<>();
        applyAll(log, replicaB, answersB, cut, log.entries.size());
        for (long index = cut + 1; index <= log.entries.size(); index++) {
            assertThat(answersB.get(index)).as("answer at %d", index).isEqualTo(answersA.get(index));
        }
        assertThat(second.counting.applied).isEqualTo(first.counting.applied);
        assertThat(second.counting.applied.values()).allMatch(count -> count == 1);
    }
}
