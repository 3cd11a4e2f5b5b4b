package io.ringraft.testkit.sim;

import io.ringraft.testkit.Workload;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvOutput;
import java.util.SplittableRandom;

/**
 * The KV clients' operations: puts, gets and compare-and-sets over a few keys (so per-key histories stay
 * short), with fresh values. One instance per run.
 */
final class KvOperations implements Workload<KvInput, KvOutput> {

    private final int keys;
    private int nextValue;

    KvOperations(int keys) {
        this.keys = keys;
    }

    @Override
    public KvInput next(SplittableRandom random) {
        String key = "k" + random.nextInt(keys);
        return switch (random.nextInt(3)) {
            case 0 -> KvInput.put(key, "v" + nextValue++);
            case 1 -> KvInput.get(key);
            default -> KvInput.cas(key, random.nextBoolean() ? null : "v" + random.nextInt(Math.max(1, nextValue)),
                    "v" + nextValue++);
        };
    }

    @Override
    public byte[] encode(KvInput operation) {
        return KvCommand.encodeInput(operation);
    }

    @Override
    public KvOutput decode(KvInput operation, Object result) {
        return (KvOutput) result;
    }

    @Override
    public boolean isReadOnly(KvInput operation) {
        return operation instanceof KvInput.Get;
    }
}
