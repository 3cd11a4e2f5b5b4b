package io.ringraft.internal.client;

/**
 * The first answer to a session command, kept for its duplicates: a result (bytes, or null) or a
 * rejection (code and message). Immutable; the bytes are never changed after caching.
 *
 * @param result   the result bytes, or null
 * @param rejected whether the command was rejected
 * @param code     the rejection code (rejected only)
 * @param message  the rejection message, or null
 */
public record CachedResult(byte[] result, boolean rejected, int code, String message) {

    /** Placeholder of a command queued for the wrapped state machine but not applied yet. */
    static final CachedResult PENDING = new CachedResult(null, false, 0, null);

    /** {@return bytes this result holds in memory, roughly (for the documented bound)} */
    int size() {
        return (result == null ? 0 : result.length) + (message == null ? 0 : message.length() * 2);
    }
}
