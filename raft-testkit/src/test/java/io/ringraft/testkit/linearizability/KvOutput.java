package io.ringraft.testkit.linearizability;

/**
 * A response in the simulator's key-value workload, as checked by {@link KvModel}: {@link Ok} for
 * put, {@link Value} for get, {@link CasResult} for cas. Immutable records with value equality.
 */
public sealed interface KvOutput permits KvOutput.Ok, KvOutput.Value, KvOutput.CasResult {

    /** The response to a put. */
    static Ok ok() {
        return Ok.INSTANCE;
    }

    /** The response to a get; {@code null} means the key was absent. */
    static Value value(String value) {
        return new Value(value);
    }

    /** The response to a cas: whether the swap happened. */
    static CasResult cas(boolean swapped) {
        return swapped ? CasResult.SWAPPED : CasResult.NOT_SWAPPED;
    }

    /** A put was applied. */
    record Ok() implements KvOutput {
        static final Ok INSTANCE = new Ok();

        @Override
        public String toString() {
            return "ok";
        }
    }

    /** A get observed {@code value}; {@code null} = absent. */
    record Value(String value) implements KvOutput {
        @Override
        public String toString() {
            return KvState.show(value);
        }
    }

    /** A cas reported whether it swapped. */
    record CasResult(boolean swapped) implements KvOutput {
        static final CasResult SWAPPED = new CasResult(true);
        static final CasResult NOT_SWAPPED = new CasResult(false);

        @Override
        public String toString() {
            return String.valueOf(swapped);
        }
    }
}
