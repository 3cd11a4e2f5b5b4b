package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import org.junit.jupiter.api.Test;

/**
 * The node hands a state machine payload views that the next {@code payloadAt} re-points (the
 * {@link LogEntries} contract): a REGISTER or UNREGISTER after plain commands in one batch must read its
 * own fields, although applying the plain commands before it asks for their payloads. (Found by the
 * simulator's exactly-once test: the register read a plain command's bytes and threw, which stopped the
 * node.)
 */
class SessionFlyweightPayloadTest {

    /** A batch whose payload views are one flyweight, re-pointed by every call. */
    private static final class FlyweightEntries implements LogEntries {
        private final LogEntries entries;
        private final Flyweight view = new Flyweight();

        FlyweightEntries(LogEntries entries) {
            this.entries = entries;
        }

        @Override
        public long firstIndex() {
            return entries.firstIndex();
        }

        @Override
        public int count() {
            return entries.count();
        }

        @Override
        public long termAt(int offset) {
            return entries.termAt(offset);
        }

        @Override
        public EntryKind kindAt(int offset) {
            return entries.kindAt(offset);
        }

        @Override
        public Bytes payloadAt(int offset) {
            view.target = entries.payloadAt(offset);
            return view;
        }
    }

    private static final class Flyweight implements Bytes {
        Bytes target;

        @Override
        public int length() {
            return target.length();
        }

        @Override
        public byte getByte(int index) {
            return target.getByte(index);
        }

        @Override
        public void getBytes(int index, byte[] dst, int dstOffset, int length) {
            target.getBytes(index, dst, dstOffset, length);
        }
    }

    /** Reads every command's payload (as any state machine does) and answers nothing. */
    private static final class ReadsEverything implements StateMachine {
        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                entries.payloadAt(i).toByteArray();
                results.set(i, null);
            }
        }
    }

    @Test
    void aRegisterAndAnUnregisterAfterPlainCommandsInOneBatchReadTheirOwnFields() {
        SessionStateMachine machine = SessionStateMachine.wrap(new ReadsEverything()).build();
        RecordedResults results = new RecordedResults();
        results.firstIndex = 1;
        machine.apply(new FlyweightEntries(HeapLogEntries.builder(1)
                .add(1, EntryKind.COMMAND, SessionCommands.plain(new byte[0]))
                .add(1, EntryKind.COMMAND, SessionCommands.register(5))
                .build()), results);

        assertThat(results.byIndex.get(2L).rejected()).isFalse();
        assertThat(SessionCommands.clientIdOf(results.byIndex.get(2L).result())).isEqualTo(2);
        assertThat(machine.sessionCount()).isEqualTo(1);

        results.firstIndex = 3;
        machine.apply(new FlyweightEntries(HeapLogEntries.builder(3)
                .add(1, EntryKind.COMMAND, SessionCommands.plain(new byte[0]))
                .add(1, EntryKind.COMMAND, SessionCommands.unregister(2, 6))
                .build()), results);

        assertThat(results.byIndex.get(4L).rejected()).isFalse();
        assertThat(machine.sessionCount()).as("session 2 closed").isZero();
    }
}
