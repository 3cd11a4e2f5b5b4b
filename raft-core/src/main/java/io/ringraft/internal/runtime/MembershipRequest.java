package io.ringraft.internal.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A membership change the application asked for: at most one waits or runs at a time. Created by
 * the application's thread, carried out and completed by the core task ({@link AdminRequests}), or
 * failed by {@link NodeShutdown}. The mutable fields are the core's only.
 */
final class MembershipRequest {
    final long[] voters;
    final long[] learners;
    final CompletableFuture<Void> future;
    boolean started;
    long startedAtNanos;

    MembershipRequest(long[] voters, long[] learners, CompletableFuture<Void> future) {
        this.voters = voters;
        this.learners = learners;
        this.future = future;
    }
}
