package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.ClientException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** Small helpers for the client's calls: failures, backoff, unwrapping. Stateless. */
final class Calls {

    private Calls() {
    }

    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Whether a failed attempt may have reached the node: a timeout or a connection lost after sending. */
    static boolean possiblyDelivered(Throwable cause) {
        if (cause instanceof TimeoutException) {
            return true;
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        return cause instanceof IOException && !message.startsWith("cannot connect") && !message.contains("refused");
    }

    /** Backoff before retry {@code attempt} (from 1): 5 ms doubling to 200 ms, with jitter. */
    static long backoffNanos(int attempt) {
        long millis = Math.min(200, 5L << Math.min(attempt, 6));
        return (millis / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(millis / 2 + 1)) * 1_000_000L;
    }

    static ClientException failure(ClientException.Reason reason, boolean may, String message) {
        return new ClientException(reason, may, 0, message);
    }

    static ClientException asClientException(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof ClientException client ? client
                : failure(ClientException.Reason.UNAVAILABLE, false, String.valueOf(cause));
    }
}
