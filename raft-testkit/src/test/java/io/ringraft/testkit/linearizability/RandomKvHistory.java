package io.ringraft.testkit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a key-value history that is linearizable by construction, for property tests: the ops are
 * executed one by one against a plain map at strictly increasing linearization points, then each op
 * gets an interval around its point (respecting one outstanding op per client), and some writes
 * are made unknown-outcome, either after taking effect or without ever taking effect.
 */
final class RandomKvHistory {

    static final int CLIENTS = 5;
    static final int KEYS = 3;
    private static final long GAP = 10;

    /**
     * One generated op.
     *
     * @param client preferred client (0..4), moved to a free one if it is busy
     * @param key key index (0..2)
     * @param kind 0 put, 1 get, 2 cas
     * @param expected for cas: 0 the current value, 1 absent, 2 an earlier written value
     * @param leftSlack how far before its linearization point the op was invoked
     * @param rightSlack how far after its linearization point it returned
     * @param fate for writes: 0 unknown outcome but took effect, 1 unknown and never took effect,
     *     anything else completed
     */
    record OpSpec(int client, int key, int kind, int expected, int leftSlack, int rightSlack, int fate) {
    }

    private RandomKvHistory() {
    }

    /**
     * @param smallValuePool write values from {"a","b","c"} (repeats allowed) instead of a unique
     *     value per op
     */
    static List<Operation<KvInput, KvOutput>> build(List<OpSpec> specs, boolean smallValuePool) {
        Map<String, String> store = new HashMap<>();
        List<String> written = new ArrayList<>();
        long[] busyUntil = new long[CLIENTS];
        Arrays.fill(busyUntil, Long.MIN_VALUE);
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
        long point = 0;
        for (int i = 0; i < specs.size(); i++) {
            OpSpec s = specs.get(i);
            point += GAP;
            int client = freeClient(s.client(), busyUntil, point);
            if (client < 0) {
                client = 0;
                for (int c = 1; c < CLIENTS; c++) {
                    if (busyUntil[c] < busyUntil[client]) {
                        client = c;
                    }
                }
                point = busyUntil[client] + 1;
            }
            long call = Math.max(Math.max(0, busyUntil[client] + 1), point - s.leftSlack());
            long ret = point + s.rightSlack();
            busyUntil[client] = ret;

            String key = "k" + s.key();
            String value = smallValuePool ? String.valueOf((char) ('a' + i % 3)) : "v" + i;
            boolean write = s.kind() != 1;
            boolean unknown = write && (s.fate() == 0 || s.fate() == 1);
            boolean takesEffect = !(write && s.fate() == 1);
            KvInput input;
            KvOutput output;
            switch (s.kind()) {
                case 0 -> {
                    input = KvInput.put(key, value);
                    output = KvOutput.ok();
                    if (takesEffect) {
                        store.put(key, value);
                    }
                }
                case 1 -> {
                    input = KvInput.get(key);
                    output = KvOutput.value(store.get(key));
                }
                default -> {
                    String expected = switch (s.expected()) {
                        case 0 -> store.get(key);
                        case 1 -> null;
                        default -> written.isEmpty() ? null : written.get((i * 7) % written.size());
                    };
                    input = KvInput.cas(key, expected, value);
                    boolean swapped = Objects.equals(expected, store.get(key));
                    output = KvOutput.cas(swapped);
                    if (swapped && takesEffect) {
                        store.put(key, value);
                    }
                }
            }
            if (write) {
                written.add(value);
            }
            ops.add(unknown ? Operation.unknown(client, input, call)
                    : Operation.completed(client, input, output, call, ret));
        }
        return ops;
    }

    private static int freeClient(int preferred, long[] busyUntil, long point) {
        for (int j = 0; j < CLIENTS; j++) {
            int c = (preferred + j) % CLIENTS;
            if (busyUntil[c] < point) {
                return c;
            }
        }
        return -1;
    }
}
