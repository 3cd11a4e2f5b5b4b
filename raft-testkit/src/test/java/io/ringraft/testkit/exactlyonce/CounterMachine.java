package io.ringraft.testkit.exactlyonce;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.StateDigest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A counter, the application state machine behind {@code SessionStateMachine}: an 8-byte command adds
 * its amount, an empty one reads; every answer is the value after, as 8 bytes (what session results
 * must be). Every add applied twice shows in the value.
 */
final class CounterMachine implements StateMachine, StateDigest {

    private long value;

    @Override
    public void apply(LogEntries commands, ApplyResults results) {
        for (int i = 0; i < commands.count(); i++) {
            Bytes command = commands.payloadAt(i);
            if (command.length() == Long.BYTES) {
                value += command.getLong(0);
            }
            results.set(i, bytes(value));
        }
    }

    @Override
    public Object query(Bytes query) {
        return bytes(value);
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

    @Override
    public long stateDigest() {
        return value;
    }

    static byte[] bytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }
}
