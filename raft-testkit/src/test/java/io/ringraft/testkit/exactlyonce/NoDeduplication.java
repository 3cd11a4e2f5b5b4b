package io.ringraft.testkit.exactlyonce;

import io.ringraft.api.Bytes;
import io.ringraft.api.client.SessionCommands;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The negative control: reads the same session envelopes as {@code SessionStateMachine} but keeps no
 * session table, so every copy of a command adds again. The exactly-once test must catch it.
 */
final class NoDeduplication implements StateMachine {

    private long value;

    @Override
    public void apply(LogEntries commands, ApplyResults results) {
        for (int i = 0; i < commands.count(); i++) {
            Bytes envelope = commands.payloadAt(i);
            switch (envelope.getByte(0)) {
                case SessionCommands.REGISTER -> results.set(i, CounterMachine.bytes(commands.firstIndex() + i));
                case SessionCommands.COMMAND -> {
                    value += envelope.getLong(SessionCommands.COMMAND_HEADER_BYTES);
                    results.set(i, CounterMachine.bytes(value));
                }
                default -> results.set(i, CounterMachine.bytes(value));
            }
        }
    }

    @Override
    public Object query(Bytes query) {
        return CounterMachine.bytes(value);
    }

    @Override
    public Snapshot snapshot() {
        long copy = value;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(copy);
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        value = new DataInputStream(in).readLong();
    }
}
