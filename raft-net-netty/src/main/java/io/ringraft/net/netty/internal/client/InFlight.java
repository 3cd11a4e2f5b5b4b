package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.ClientException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The client's bound on calls in flight: a call takes a permit or fails at once with BUSY (nothing
 * happened), and gives it back when its future completes. Also says whether the client is closed.
 * Thread-safe.
 */
public final class InFlight {

    private final Semaphore permits;
    private final int max;
    private volatile boolean closed;

    /** @param max most calls in flight */
    public InFlight(int max) {
        this.permits = new Semaphore(max);
        this.max = max;
    }

    /** Takes a permit for {@code call}, released when it completes; or fails it with BUSY (or CLOSED). */
    boolean tryAcquire(CompletableFuture<?> call) {
        if (closed) {
            call.completeExceptionally(Calls.failure(ClientException.Reason.CLOSED, false, "the client was closed"));
            return false;
        }
        if (!permits.tryAcquire()) {
            call.completeExceptionally(Calls.failure(ClientException.Reason.BUSY, false, "the client has " + max
                    + " calls in flight (maxInFlight)"));
            return false;
        }
        call.whenComplete((result, error) -> permits.release());
        return true;
    }

    boolean closed() {
        return closed;
    }

    /** Marks the client closed: calls fail with CLOSED from their next attempt on. */
    public void close() {
        closed = true;
    }
}
