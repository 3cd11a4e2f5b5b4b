package io.ringraft.testkit.sim;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.StateDigest;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvOutput;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The simulator's replicated key-value map: a user's state machine like any other (the simulator frames
 * and observes its commands); its {@link StateDigest} lets the safety checker compare replicas state for
 * state.
 */
final class KvStateMachine implements StateMachine, StateDigest {

    private final Map<String, String> data = new HashMap<>();

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            results.set(i, execute(KvCommand.decodeInput(entries.payloadAt(i).toByteArray())));
        }
    }

    /** A linearizable read (ReadIndex): the query is an encoded get. */
    @Override
    public Object query(Bytes query) {
        KvInput.Get get = (KvInput.Get) KvCommand.decodeInput(query.toByteArray());
        return KvOutput.value(data.get(get.key()));
    }

    private KvOutput execute(KvInput input) {
        if (input instanceof KvInput.Put put) {
            data.put(put.key(), put.value());
            return KvOutput.ok();
        }
        if (input instanceof KvInput.Get get) {
            return KvOutput.value(data.get(get.key()));
        }
        KvInput.Cas cas = (KvInput.Cas) input;
        if (Objects.equals(data.get(cas.key()), cas.expected())) {
            data.put(cas.key(), cas.newValue());
            return KvOutput.cas(true);
        }
        return KvOutput.cas(false);
    }

    /** A copy of the map, written later on the snapshot task (applying goes on meanwhile). */
    @Override
    public Snapshot snapshot() {
        Map<String, String> copy = new TreeMap<>(data);
        return out -> {
            DataOutputStream stream = new DataOutputStream(out);
            stream.writeInt(copy.size());
            for (Map.Entry<String, String> entry : copy.entrySet()) {
                stream.writeUTF(entry.getKey());
                stream.writeUTF(entry.getValue());
            }
            stream.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream stream = new DataInputStream(in);
        int size = stream.readInt();
        Map<String, String> restored = new HashMap<>();
        for (int i = 0; i < size; i++) {
            restored.put(stream.readUTF(), stream.readUTF());
        }
        data.clear();
        data.putAll(restored);
    }

    @Override
    public long stateDigest() {
        return stateHash(data);
    }

    /** An order-independent hash of the map. */
    static long stateHash(Map<String, String> map) {
        long hash = 0;
        for (Map.Entry<String, String> entry : map.entrySet()) {
            hash += (entry.getKey().hashCode() * 1_000_003L) ^ entry.getValue().hashCode();
        }
        return hash;
    }
}
