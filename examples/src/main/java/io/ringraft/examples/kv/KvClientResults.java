package io.ringraft.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes a {@code RaftClient} gets for a KV result: the Redis reply it stands for, in RESP2 ({@code +OK},
 * {@code :5}, {@code $3 abc}, {@code $-1}, {@code -ERR ...}, arrays of those). Deterministic, so the
 * session wrapper can cache it. Stateless.
 */
final class KvClientResults {

    private KvClientResults() {
    }

    static byte[] encode(Object result) {
        StringBuilder out = new StringBuilder();
        append(out, result);
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void append(StringBuilder out, Object result) {
        if (result == null) {
            out.append("$-1\r\n");
        } else if (result instanceof String text) {
            out.append('+').append(text).append("\r\n");
        } else if (result instanceof Long number) {
            out.append(':').append(number).append("\r\n");
        } else if (result instanceof KvError error) {
            out.append('-').append(error.message()).append("\r\n");
        } else if (result instanceof byte[] bytes) {
            out.append('$').append(bytes.length).append("\r\n")
                    .append(new String(bytes, StandardCharsets.ISO_8859_1)).append("\r\n");
        } else if (result instanceof List<?> list) {
            out.append('*').append(list.size()).append("\r\n");
            list.forEach(element -> append(out, element));
        } else {
            out.append("-ERR unexpected result type ").append(result.getClass().getSimpleName()).append("\r\n");
        }
    }
}
