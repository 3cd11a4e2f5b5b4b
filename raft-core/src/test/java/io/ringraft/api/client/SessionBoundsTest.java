package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.client.RecordedResults.Answer;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The session table's bounds, malformed envelopes, and the wrapped state machine's result type. */
class SessionBoundsTest {

    private final RecordedResults results = new RecordedResults();
    private long next = 1;

    private Answer apply(StateMachine machine, byte[] envelope) {
        results.firstIndex = next;
        machine.apply(HeapLogEntries.builder(next).add(1, EntryKind.COMMAND, envelope).build(), results);
        return results.byIndex.get(next++);
    }

    @Test
    void aFullTableRefusesRegistersUntilASessionExpires() {
        SessionStateMachine machine = SessionStateMachine.wrap(new CountingStateMachine()).maxSessions(2)
                .sessionTimeout(Duration.ofSeconds(10)).build();
        assertThat(apply(machine, SessionCommands.register(0)).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.register(5_000)).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.register(6_000)))
                .isEqualTo(new Answer(null, true, SessionCommands.SESSIONS_FULL));
        assertThat(machine.sessionCount()).isEqualTo(2);
        // log time 10,001 ms: the first session (active at 0) has been idle over 10 s and expires
        Answer third = apply(machine, SessionCommands.register(10_001));
        assertThat(third.rejected()).isFalse();
        assertThat(SessionCommands.clientIdOf(third.result())).isEqualTo(4);
        assertThat(apply(machine, SessionCommands.command(1, 1, 1, 10_002, CountingStateMachine.op(1))))
                .isEqualTo(new Answer(null, true, SessionCommands.SESSION_EXPIRED));
    }

    @Test
    void aSessionKeepsAtMostMaxResultsUnacknowledgedAnswers() {
        CountingStateMachine counting = new CountingStateMachine();
        SessionStateMachine machine = SessionStateMachine.wrap(counting).maxResultsPerSession(2).build();
        long client = SessionCommands.clientIdOf(apply(machine, SessionCommands.register(0)).result());
        assertThat(apply(machine, SessionCommands.command(client, 1, 1, 1, CountingStateMachine.op(1))).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.command(client, 2, 1, 1, CountingStateMachine.op(2))).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.command(client, 3, 1, 1, CountingStateMachine.op(3))))
                .isEqualTo(new Answer(null, true, SessionCommands.TOO_MANY_IN_FLIGHT));
        assertThat(counting.applied).doesNotContainKey(3L);
        // acknowledging 1 and 2 makes room; a late duplicate of 1 is then stale
        assertThat(apply(machine, SessionCommands.command(client, 3, 3, 1, CountingStateMachine.op(3))).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.command(client, 1, 1, 1, CountingStateMachine.op(1))))
                .isEqualTo(new Answer(null, true, SessionCommands.STALE_SEQUENCE));
        assertThat(counting.applied).containsEntry(1L, 1).containsEntry(3L, 1);
    }

    @Test
    void malformedEnvelopesAreRejectedAndTheNextEntryApplies() {
        CountingStateMachine counting = new CountingStateMachine();
        SessionStateMachine machine = SessionStateMachine.wrap(counting).build();
        assertThat(apply(machine, new byte[0])).isEqualTo(new Answer(null, true, SessionCommands.MALFORMED));
        assertThat(apply(machine, new byte[] {9, 1, 2})).isEqualTo(new Answer(null, true, SessionCommands.MALFORMED));
        assertThat(apply(machine, new byte[] {SessionCommands.COMMAND, 1})).isEqualTo(
                new Answer(null, true, SessionCommands.MALFORMED));
        assertThat(apply(machine, SessionCommands.plain(CountingStateMachine.op(5))).rejected()).isFalse();
        assertThat(apply(machine, SessionCommands.plain(CountingStateMachine.op(5))).rejected()).isFalse();
        assertThat(counting.applied).containsEntry(5L, 2); // plain commands are not deduplicated
    }

    @Test
    void aSessionResultThatIsNotBytesStopsTheNodeWithAClearMessage() {
        StateMachine answersAString = new StateMachine() {
            @Override
            public void apply(LogEntries entries, ApplyResults out) {
                out.set(0, "not bytes");
            }
        };
        SessionStateMachine machine = SessionStateMachine.wrap(answersAString).build();
        long client = SessionCommands.clientIdOf(apply(machine, SessionCommands.register(0)).result());
        assertThatThrownBy(() -> apply(machine, SessionCommands.command(client, 1, 1, 0, new byte[1])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("byte[] or null");
    }
}
