package io.ringraft.testkit.linearizability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Search-free pre-check for key-value histories: every value a completed get returned, and every
 * value a successful cas expected, must have been written to that key by a put or cas (completed or
 * unknown-outcome, not a cas that reported no swap) invoked no later than the read returned.
 * Otherwise the read saw a value that never existed, or one from the future, and no linearization
 * exists. Reads of "absent" are never flagged (every key starts absent). Stateless, thread-safe.
 */
public final class KvReadsWrittenValues implements PreCheck<KvInput, KvOutput> {

    /** The shared instance. */
    public static final KvReadsWrittenValues INSTANCE = new KvReadsWrittenValues();

    private record KeyValue(String key, String value) {
    }

    private KvReadsWrittenValues() {
    }

    @Override
    public Optional<Finding<KvInput, KvOutput>> check(List<Operation<KvInput, KvOutput>> operations) {
        Map<KeyValue, Long> earliestWrite = new HashMap<>();
        for (Operation<KvInput, KvOutput> op : operations) {
            KeyValue written = writtenBy(op);
            if (written != null) {
                earliestWrite.merge(written, op.call(), Math::min);
            }
        }
        for (Operation<KvInput, KvOutput> op : operations) {
            KeyValue read = readBy(op);
            if (read == null) {
                continue;
            }
            Long firstCall = earliestWrite.get(read);
            if (firstCall == null) {
                return Optional.of(new Finding<>(op, "value " + KvState.show(read.value())
                        + " was never written to " + read.key()));
            }
            if (firstCall > op.ret()) {
                return Optional.of(new Finding<>(op, "value " + KvState.show(read.value())
                        + " was first written by an op invoked at " + firstCall + ", after this op returned"));
            }
        }
        return Optional.empty();
    }

    /** The (key, value) an op may have written, or null. */
    private static KeyValue writtenBy(Operation<KvInput, KvOutput> op) {
        if (op.input() instanceof KvInput.Put put) {
            return new KeyValue(put.key(), put.value());
        }
        if (op.input() instanceof KvInput.Cas cas
                && (op.isUnknown() || op.output() instanceof KvOutput.CasResult r && r.swapped())) {
            return new KeyValue(cas.key(), cas.newValue());
        }
        return null;
    }

    /** The non-absent (key, value) a completed op observed, or null. */
    private static KeyValue readBy(Operation<KvInput, KvOutput> op) {
        if (op.isUnknown()) {
            return null;
        }
        if (op.input() instanceof KvInput.Get get && op.output() instanceof KvOutput.Value v && v.value() != null) {
            return new KeyValue(get.key(), v.value());
        }
        if (op.input() instanceof KvInput.Cas cas && cas.expected() != null
                && op.output() instanceof KvOutput.CasResult r && r.swapped()) {
            return new KeyValue(cas.key(), cas.expected());
        }
        return null;
    }
}
