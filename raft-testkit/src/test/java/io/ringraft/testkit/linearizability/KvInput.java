package io.ringraft.testkit.linearizability;

import java.util.Objects;

/**
 * A request of the simulator's key-value workload, as checked by {@link KvModel}. Keys and values
 * are non-null strings; "absent" is represented by {@code null} where allowed. Immutable records.
 */
public sealed interface KvInput permits KvInput.Put, KvInput.Get, KvInput.Cas {

    /** The single key this request touches (the partition key, see {@link KvLinearizability#byKey()}). */
    String key();

    /** {@code put(key, value)}: unconditional write; answered with {@link KvOutput#ok()}. */
    static Put put(String key, String value) {
        return new Put(key, value);
    }

    /** {@code get(key)}: read; answered with {@link KvOutput#value(String)}. */
    static Get get(String key) {
        return new Get(key);
    }

    /**
     * {@code cas(key, expected, newValue)}: write {@code newValue} iff the current value equals
     * {@code expected} ({@code null} = the key is absent); answered with {@link KvOutput#cas(boolean)}.
     */
    static Cas cas(String key, String expected, String newValue) {
        return new Cas(key, expected, newValue);
    }

    /** Unconditional write. */
    record Put(String key, String value) implements KvInput {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "put(" + key + ", " + KvState.show(value) + ")";
        }
    }

    /** Read. */
    record Get(String key) implements KvInput {
        public Get {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    /** Compare-and-set; {@code expected} may be {@code null} (absent), {@code newValue} may not. */
    record Cas(String key, String expected, String newValue) implements KvInput {
        public Cas {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(newValue, "newValue");
        }

        @Override
        public String toString() {
            return "cas(" + key + ", " + KvState.show(expected) + " -> " + KvState.show(newValue) + ")";
        }
    }
}
