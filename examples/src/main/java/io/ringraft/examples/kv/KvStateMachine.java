package io.ringraft.examples.kv;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The replicated key-value map: keys and values are arbitrary bytes. {@link #apply} executes
 * {@link KvCodec} commands, {@link #query} answers {@link KvCodec} queries.
 *
 * <p>Results, as Redis would reply:
 * <ul>
 *   <li>{@code SET}: {@link #OK}, or {@code null} if an {@code NX}/{@code XX} condition failed;
 *   <li>{@code DEL}, {@code EXISTS}, {@code DBSIZE}: a {@link Long} count;
 *   <li>{@code INCRBY}: the new value as a {@link Long}, or a {@link KvError} if the value is not a
 *       64-bit decimal integer or the result would overflow (a missing key counts as 0);
 *   <li>{@code MSET}: {@link #OK};
 *   <li>{@code CAS key expected new}: {@code 1L} if the key held exactly {@code expected} (and now
 *       holds {@code new}), else {@code 0L} (a missing key never matches);
 *   <li>{@code GET}: the value ({@code byte[]}) or {@code null}; {@code MGET}: a {@code List} of those;
 *   <li>a malformed message: a {@link KvError} (never an exception, which would stop the node).
 * </ul>
 *
 * <p><b>Snapshots.</b> {@link #snapshot()} freezes the map in O(1) ({@link KvMap}: copy-on-write by
 * layers, no copy of the map) and returns a view whose {@code writeTo}, on the node's snapshot thread,
 * streams it in the {@link KvSnapshotFormat} (a small header, then length-prefixed keys and values:
 * about 8 bytes plus the key and value per entry). While a snapshot is being written, changes cost one
 * extra map entry each, folded into the map once the snapshot is written. {@link #restore} checks the
 * snapshot's header (a foreign or newer stream is an {@link IOException} and leaves the state as it
 * was), then drops the old state and streams the entries into the empty map, so it never holds the old
 * and the new state together (a store of 2 M keys restores within twice its size of heap). A stream
 * damaged after its header is an {@link IOException} naming the problem and leaves the map empty (the
 * node fail-stops on a failed restore; a restart restores its newest good snapshot).
 *
 * <p>Deterministic: no clocks, no randomness, no iteration-order dependence. Like every state
 * machine, called by one thread at a time (the node's applier); not otherwise thread-safe (a
 * snapshot's {@code writeTo} runs on another thread, on a frozen view).
 */
public final class KvStateMachine implements StateMachine {

    /** The result of a successful {@code SET} or {@code MSET}. */
    public static final String OK = "OK";

    static final KvError MALFORMED = new KvError("ERR malformed command");
    static final KvError NOT_AN_INTEGER = new KvError("ERR value is not an integer or out of range");
    static final KvError OVERFLOW = new KvError("ERR increment or decrement would overflow");

    /** Keys as ISO-8859-1 strings: one char per byte, so any byte sequence maps losslessly. */
    private final KvMap map = new KvMap();

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            results.set(i, execute(entries.payloadAt(i)));
        }
    }

    @Override
    public Object query(Bytes query) {
        try {
            MessageReader in = new MessageReader(query);
            byte op = in.readByte();
            switch (op) {
                case KvCodec.GET -> {
                    String key = key(in.readString());
                    in.expectEnd();
                    return map.get(key);
                }
                case KvCodec.MGET -> {
                    int count = in.readCount();
                    List<String> keys = readKeys(in, count);
                    in.expectEnd();
                    List<byte[]> values = new ArrayList<>(count);
                    keys.forEach(k -> values.add(map.get(k)));
                    return values;
                }
                case KvCodec.EXISTS -> {
                    int count = in.readCount();
                    List<String> keys = readKeys(in, count);
                    in.expectEnd();
                    return keys.stream().filter(map::containsKey).count();
                }
                case KvCodec.DBSIZE -> {
                    in.expectEnd();
                    return (long) map.size();
                }
                default -> {
                    return MALFORMED;
                }
            }
        } catch (IllegalArgumentException e) {
            return MALFORMED;
        }
    }

    /**
     * A point-in-time view of the map, in O(1); its {@code writeTo} may run on another thread while
     * commands are applied.
     */
    @Override
    public Snapshot snapshot() {
        KvMap.View view = map.freeze();
        return out -> {
            try {
                KvSnapshotFormat.write(view.entries(), out);
            } finally {
                view.release();
            }
        };
    }

    /** Replaces the state by the snapshot in {@code data}; on any error the state is unchanged. */
    @Override
    public void restore(InputStream data) throws IOException {
        boolean[] dropped = {false};
        try {
            // The old state goes as soon as the header is checked (a foreign or newer stream is refused
            // with the state untouched): it is replaced anyway, so it is not held next to the new one.
            KvSnapshotFormat.read(data, (key, value) -> {
                if (map.containsKey(key)) {
                    return false;
                }
                map.put(key, value);
                return true;
            }, () -> {
                map.clear();
                dropped[0] = true;
            });
        } catch (IOException | RuntimeException e) {
            if (dropped[0]) {
                map.clear(); // never a mix: empty; the node fail-stops on a failed restore anyway
            }
            throw e;
        }
    }

    /** Executes one command; malformed input changes nothing. */
    private Object execute(Bytes payload) {
        try {
            MessageReader in = new MessageReader(payload);
            byte op = in.readByte();
            return switch (op) {
                case KvCodec.SET -> set(in);
                case KvCodec.DEL -> del(in);
                case KvCodec.INCRBY -> incrBy(in);
                case KvCodec.MSET -> mset(in);
                case KvCodec.CAS -> cas(in);
                default -> MALFORMED;
            };
        } catch (IllegalArgumentException e) {
            return MALFORMED;
        }
    }

    private Object set(MessageReader in) {
        int flags = in.readByte();
        String key = key(in.readString());
        byte[] value = in.readString();
        in.expectEnd();
        boolean exists = map.containsKey(key);
        if ((flags & KvCodec.NX) != 0 && exists || (flags & KvCodec.XX) != 0 && !exists) {
            return null;
        }
        map.put(key, value);
        return OK;
    }

    private Object del(MessageReader in) {
        List<String> keys = readKeys(in, in.readCount());
        in.expectEnd();
        long removed = 0;
        for (String key : keys) {
            if (map.remove(key)) {
                removed++;
            }
        }
        return removed;
    }

    private Object incrBy(MessageReader in) {
        String key = key(in.readString());
        long delta = in.readLong();
        in.expectEnd();
        byte[] current = map.get(key);
        long value;
        if (current == null) {
            value = 0;
        } else {
            Long parsed = parseLong(current);
            if (parsed == null) {
                return NOT_AN_INTEGER;
            }
            value = parsed;
        }
        long updated;
        try {
            updated = Math.addExact(value, delta);
        } catch (ArithmeticException e) {
            return OVERFLOW;
        }
        map.put(key, Long.toString(updated).getBytes(StandardCharsets.US_ASCII));
        return updated;
    }

    private Object mset(MessageReader in) {
        int pairs = in.readCount();
        List<String> keys = new ArrayList<>(pairs);
        List<byte[]> values = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            keys.add(key(in.readString()));
            values.add(in.readString());
        }
        in.expectEnd();
        for (int i = 0; i < pairs; i++) {
            map.put(keys.get(i), values.get(i));
        }
        return OK;
    }

    private Object cas(MessageReader in) {
        String key = key(in.readString());
        byte[] expected = in.readString();
        byte[] update = in.readString();
        in.expectEnd();
        byte[] current = map.get(key);
        if (current == null || !Arrays.equals(current, expected)) {
            return 0L;
        }
        map.put(key, update);
        return 1L;
    }

    private static List<String> readKeys(MessageReader in, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(key(in.readString()));
        }
        return keys;
    }

    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Parses a canonical decimal 64-bit integer as Redis does (no sign '+', no spaces), or null. */
    static Long parseLong(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > 20 || bytes[0] == '+') {
            return null;
        }
        try {
            return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
