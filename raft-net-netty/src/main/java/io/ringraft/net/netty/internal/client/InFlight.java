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

    /**
     * Takes a permit for the call whose caller sees {@code out}: returns the future the call completes
     * instead, which gives the permit back and then completes {@code out} (so a caller who saw the answer
     * can start the next call at once). Returns null, with {@code out} failed with BUSY (or CLOSED), if
     * no permit is free.
     */
    <T> CompletableFuture<T> start(CompletableFuture<T> out) {
        if (closed) {
            out.completeExceptionally(Calls.failure(ClientException.Reason.CLOSED, false, "the client was closed"));
            return null;
        }
        if (!permits.tryAcquire()) {
            out.completeExceptionally(Calls.failure(ClientException.Reason.BUSY, false, "the client has " + max
                    + " calls in flight (maxInFlight)"));
            return null;
        }
        CompletableFuture<T> work = new CompletableFuture<>();
        work.whenComplete((result, error) -> {
            permits.release();
            if (error != null) {
                out.completeExceptionally(Calls.unwrap(error));
            } else {
                out.complete(result);
            }
        });
        return work;
    }

    boolean closed() {
        return closed;
    }

    /** Marks the client closed: calls fail with CLOSED from their next attempt on. */
    public void close() {
        closed = true;
    }
}
