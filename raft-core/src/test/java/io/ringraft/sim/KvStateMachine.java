package io.ringraft.sim;

import io.ringraft.spi.LogEntries;
import io.ringraft.sim.linearizability.KvInput;
import io.ringraft.sim.linearizability.KvOutput;
import io.ringraft.spi.StateMachine;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The simulator's replicated key-value map. Every apply is reported to the {@link SafetyChecker}
 * (which index, which term, which operation), so the checker can prove that every node applies the
 * same command at each index, in order, without gaps.
 */
final class KvStateMachine implements StateMachine {

    /** Receives every applied command, and the state after it. */
    interface ApplyObserver {
        void applied(long nodeId, long index, long term, KvCommand command);

        /** The state after applying the command at {@code index} hashes to {@code stateHash}. */
        default void stateAt(long nodeId, long index, long stateHash) {
        }

        /** The node took a snapshot of its state as of command {@code index}, or restored one. */
        default void snapshot(long nodeId, long index, long stateHash, boolean restored) {
        }
    }

    private final long nodeId;
    private final ApplyObserver observer;
    private final Map<String, String> data = new HashMap<>();
    /** Index of the last command applied (or restored): what snapshots are checked against. */
    private long lastIndex;

    KvStateMachine(long nodeId, ApplyObserver observer) {
        this.nodeId = nodeId;
        this.observer = observer;
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            results.set(i, applyOne(entries, i));
        }
    }

    /** Applies the command at {@code offset} of {@code entries}; returns its result. */
    KvOutput applyOne(LogEntries entries, int offset) {
        byte[] bytes = entries.payloadAt(offset).toByteArray();
        KvCommand command = KvCommand.decode(bytes);
        long index = entries.firstIndex() + offset;
        observer.applied(nodeId, index, entries.termAt(offset), command);
        KvOutput result = execute(command.input());
        lastIndex = index;
        observer.stateAt(nodeId, lastIndex, stateHash(data));
        return result;
    }

    /** A linearizable read (ReadIndex): the query is an encoded {@link KvCommand} holding a get. */
    @Override
    public Object query(io.ringraft.api.Bytes query) {
        byte[] bytes = query.toByteArray();
        KvInput.Get get = (KvInput.Get) KvCommand.decode(bytes).input();
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
        Map<String, String> copy = new java.util.TreeMap<>(data);
        long index = lastIndex;
        observer.snapshot(nodeId, index, stateHash(copy), false);
        return out -> {
            java.io.DataOutputStream stream = new java.io.DataOutputStream(out);
            stream.writeLong(index);
            stream.writeInt(copy.size());
            for (Map.Entry<String, String> entry : copy.entrySet()) {
                stream.writeUTF(entry.getKey());
                stream.writeUTF(entry.getValue());
            }
            stream.flush();
        };
    }

    @Override
    public void restore(java.io.InputStream in) throws java.io.IOException {
        java.io.DataInputStream stream = new java.io.DataInputStream(in);
        long index = stream.readLong();
        int size = stream.readInt();
        Map<String, String> restored = new HashMap<>();
        for (int i = 0; i < size; i++) {
            restored.put(stream.readUTF(), stream.readUTF());
        }
        data.clear();
        data.putAll(restored);
        lastIndex = index;
        observer.snapshot(nodeId, index, stateHash(data), true);
    }

    /** An order-independent hash of the map. */
    static long stateHash(Map<String, String> map) {
        long hash = 0;
        for (Map.Entry<String, String> entry : map.entrySet()) {
            hash += (entry.getKey().hashCode() * 1_000_003L) ^ entry.getValue().hashCode();
        }
        return hash;
    }

    /** Index of the last command applied, or of the last one a restored snapshot holds. */
    long lastIndex() {
        return lastIndex;
    }

    Map<String, String> snapshotOfData() {
        return Map.copyOf(data);
    }
}
