package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A state machine for session tests: a command is an 8-byte operation id; applying counts how often
 * each id was applied, and answers with the number of commands applied so far (so a second apply of
 * the same command would answer differently). Ids divisible by 7 are rejected (code 7), deterministically.
 */
final class CountingStateMachine implements StateMachine {

    final Map<Long, Integer> applied = new HashMap<>();
    long total;

    static byte[] op(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            Bytes payload = entries.payloadAt(i);
            long id = payload.getLong(0);
            if (id % 7 == 0) {
                results.reject(i, 7, "id " + id + " is refused");
                continue;
            }
            applied.merge(id, 1, Integer::sum);
            total++;
            results.set(i, ByteBuffer.allocate(8).putLong(total).array());
        }
    }

    @Override
    public Object query(Bytes query) {
        return applied.getOrDefault(query.getLong(0), 0);
    }

    @Override
    public Snapshot snapshot() {
        Map<Long, Integer> copy = new TreeMap<>(applied);
        long totalNow = total;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(totalNow);
            data.writeInt(copy.size());
            for (Map.Entry<Long, Integer> entry : copy.entrySet()) {
                data.writeLong(entry.getKey());
                data.writeInt(entry.getValue());
            }
            data.flush();
        };
    }

    @Override
    public void restore(java.io.InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        applied.clear();
        total = data.readLong();
        int count = data.readInt();
        for (int i = 0; i < count; i++) {
            applied.put(data.readLong(), data.readInt());
        }
    }
}
