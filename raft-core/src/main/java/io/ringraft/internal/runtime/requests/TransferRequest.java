package io.ringraft.internal.runtime.requests;

import io.ringraft.internal.runtime.NodeShutdown;
import java.util.concurrent.CompletableFuture;

/**
 * A leadership transfer the application asked for: at most one waits or runs at a time. Created by
 * the application's thread, carried out and completed by the core task ({@code AdminRequests}), or
 * failed by {@link NodeShutdown}. The mutable fields are the core's only.
 */
public final class TransferRequest {
    public final long target;
    public final CompletableFuture<Void> future;
    public boolean started;
    public long startedAtNanos;

    public TransferRequest(long target, CompletableFuture<Void> future) {
        this.target = target;
        this.future = future;
    }
}
