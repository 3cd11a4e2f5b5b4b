package io.ringraft.sim;

import io.ringraft.message.LogEntries;
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

    /** Receives every applied command. */
    interface ApplyObserver {
        void applied(long nodeId, long index, long term, KvCommand command);
    }

    private final long nodeId;
    private final ApplyObserver observer;
    private final Map<String, String> data = new HashMap<>();

    KvStateMachine(long nodeId, ApplyObserver observer) {
        this.nodeId = nodeId;
        this.observer = observer;
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            var payload = entries.payloadAt(i);
            byte[] bytes = new byte[payload.capacity()];
            payload.getBytes(0, bytes);
            KvCommand command = KvCommand.decode(bytes);
            observer.applied(nodeId, entries.firstIndex() + i, entries.termAt(i), command);
            results.set(i, execute(command.input()));
        }
    }

    /** A linearizable read (ReadIndex): the query is an encoded {@link KvCommand} holding a get. */
    @Override
    public Object query(org.agrona.DirectBuffer query, int offset, int length) {
        byte[] bytes = new byte[length];
        query.getBytes(offset, bytes);
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

    Map<String, String> snapshotOfData() {
        return Map.copyOf(data);
    }
}
