package io.ringraft.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;

/** Short factories for hand-written key-value histories in this package's tests. */
final class KvOps {

    /** The standard checker: per-key partitions plus the written-values pre-check. */
    static final LinearizabilityChecker<KvState, KvInput, KvOutput> FULL = KvLinearizability.checker();

    /** The search alone, so tests can show it finds what the pre-check would have caught. */
    static final LinearizabilityChecker<KvState, KvInput, KvOutput> SEARCH_ONLY =
            LinearizabilityChecker.builder(KvModel.INSTANCE)
                    .partitioner(KvLinearizability.byKey())
                    .build();

    private KvOps() {
    }

    static Operation<KvInput, KvOutput> put(int client, String key, String value, long call, long ret) {
        return Operation.completed(client, KvInput.put(key, value), KvOutput.ok(), call, ret);
    }

    static Operation<KvInput, KvOutput> get(int client, String key, String value, long call, long ret) {
        return Operation.completed(client, KvInput.get(key), KvOutput.value(value), call, ret);
    }

    static Operation<KvInput, KvOutput> cas(int client, String key, String expected, String newValue,
            boolean swapped, long call, long ret) {
        return Operation.completed(client, KvInput.cas(key, expected, newValue), KvOutput.cas(swapped), call, ret);
    }

    static Operation<KvInput, KvOutput> putUnknown(int client, String key, String value, long call) {
        return Operation.unknown(client, KvInput.put(key, value), call);
    }

    static Operation<KvInput, KvOutput> casUnknown(int client, String key, String expected, String newValue,
            long call) {
        return Operation.unknown(client, KvInput.cas(key, expected, newValue), call);
    }

    @SafeVarargs
    static List<Operation<KvInput, KvOutput>> history(Operation<KvInput, KvOutput>... ops) {
        List<Operation<KvInput, KvOutput>> list = new ArrayList<>(ops.length);
        for (Operation<KvInput, KvOutput> op : ops) {
            list.add(op);
        }
        return List.copyOf(list);
    }
}
