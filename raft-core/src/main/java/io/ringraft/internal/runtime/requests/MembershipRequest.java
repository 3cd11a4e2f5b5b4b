package io.ringraft.internal.runtime.requests;

import io.ringraft.internal.runtime.NodeShutdown;
import java.util.concurrent.CompletableFuture;

/**
 * A membership change the application asked for: at most one waits or runs at a time. Created by
 * the application's thread, carried out and completed by the core task ({@code AdminRequests}), or
 * failed by {@link NodeShutdown}. The mutable fields are the core's only.
 */
public final class MembershipRequest {
    public final long[] voters;
    public final long[] learners;
    public final CompletableFuture<Void> future;
    public boolean started;
    public long startedAtNanos;

    public MembershipRequest(long[] voters, long[] learners, CompletableFuture<Void> future) {
        this.voters = voters;
        this.learners = learners;
        this.future = future;
    }
}
