package io.ringraft.internal.runtime.requests;

import io.ringraft.api.LogId;
import io.ringraft.internal.runtime.NodeShutdown;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the application's requests wait for a node's tasks, one bounded queue or slot per kind:
 * proposals (for the core: [correlation id (8 bytes)][payload]), linearizable reads, forwarded
 * commands, one leadership transfer, one membership change, and one snapshot request (for the
 * applier). The application's threads fill them ({@code NodeRuntime}); each task is given only the
 * ones it serves; {@link NodeShutdown}, which reports whatever is left when the node stops, is given
 * all of them.
 *
 * <p>Immutable holder; each queue documents its own threading. Never blocks.
 */
public record RequestQueues(ProposalQueue proposals, PendingReads reads, Forwards forwards,
                     AtomicReference<TransferRequest> transfer, AtomicReference<MembershipRequest> membershipChange,
                     AtomicReference<CompletableFuture<LogId>> snapshotRequest) {
}
