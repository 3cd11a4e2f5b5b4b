package io.ringraft.api.client;

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

    void sessionTimeout(java.time.Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sessionTimeout must be positive, got " + timeout);
        }
        this.sessionTimeoutMillis = timeout.toMillis();
    }
}
