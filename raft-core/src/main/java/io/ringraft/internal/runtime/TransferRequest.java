package io.ringraft.internal.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A leadership transfer the application asked for: at most one waits or runs at a time. Created by
 * the application's thread, carried out and completed by the core task ({@link AdminRequests}), or
 * failed by {@link NodeShutdown}. The mutable fields are the core's only.
 */
final class TransferRequest {
    final long target;
    final CompletableFuture<Void> future;
    boolean started;
    long startedAtNanos;

    TransferRequest(long target, CompletableFuture<Void> future) {
        this.target = target;
        this.future = future;
    }
}
