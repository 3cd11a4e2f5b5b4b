package io.ringraft.api.client;

import io.ringraft.internal.client.SessionTable;
import java.util.function.Function;

/** The session table's settings, checked, shared by the session wrappers' builders. Not thread-safe. */
final class SessionSettings {
    int maxSessions = 10_000;
    int maxResultsPerSession = 128;
    long sessionTimeoutMillis = 60_000;
    Function<Object, byte[]> encoder;

    void maxSessions(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + max);
        }
        this.maxSessions = max;
    }

    void maxResultsPerSession(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxResultsPerSession must be at least 1, got " + max);
        }
        this.maxResultsPerSession = max;
    }

    /** {@return a session table with these bounds} */
    SessionTable newTable() {
        return new SessionTable(maxSessions, maxResultsPerSession, sessionTimeoutMillis);
    }

    /**
     * The bytes a client gets for {@code result}: what {@code encoder} makes of it, or else a
     * {@code byte[]} or null as it is.
     *
     * @param wrapper the wrapper's name, for the error
     * @throws IllegalStateException if there is no encoder and {@code result} is not a {@code byte[]}
     */
    static byte[] encode(Function<Object, byte[]> encoder, Object result, String wrapper) {
        if (encoder != null) {
            return encoder.apply(result);
        }
        if (result != null && !(result instanceof byte[])) {
            throw new IllegalStateException("a state machine wrapped in a " + wrapper + " answers clients with a "
                    + "byte[] or null (or give the wrapper a resultEncoder), got a " + result.getClass().getName());
        }
        return (byte[]) result;
    }

    void sessionTimeout(java.time.Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sessionTimeout must be positive, got " + timeout);
        }
        this.sessionTimeoutMillis = timeout.toMillis();
    }
}
