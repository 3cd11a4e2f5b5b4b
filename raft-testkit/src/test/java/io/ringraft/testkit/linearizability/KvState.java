package io.ringraft.testkit.linearizability;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of {@link KvModel}: an immutable map from key to value with value equality. Under
 * per-key partitioning a state holds at most one key, so copies are cheap.
 */
public record KvState(Map<String, String> values) {

    /** The empty store, where every key is absent. */
    public static final KvState EMPTY = new KvState(Map.of());

    public KvState {
        values = Map.copyOf(values);
    }

    /** The value of {@code key}, or {@code null} if absent. */
    public String get(String key) {
        return values.get(key);
    }

    /** A copy with {@code key} set to the non-null {@code value}. */
    public KvState with(String key, String value) {
        Objects.requireNonNull(value, "value");
        if (value.equals(values.get(key))) {
            return this;
        }
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, value);
        return new KvState(copy);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        new TreeMap<>(values).forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=')
                .append(show(v)));
        return sb.append('}').toString();
    }

    /** A value as shown in reports: quoted, or {@code absent} for {@code null}. */
    static String show(String value) {
        return value == null ? "absent" : '"' + value + '"';
    }
}
