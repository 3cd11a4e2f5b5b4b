package io.ringraft.internal.messaging;

import java.util.concurrent.CompletableFuture;

/**
 * The source group's local replica as its {@link Deliverer} needs it: whether it leads, and a way to
 * propose an acknowledgement. Implemented over {@code RaftNode} by {@code MessagingGroup} and over the
 * runtime by the simulator. Called on the delivery thread; must not block.
 */
public interface SourceNode {

    /** Whether this replica is the group's leader now. */
    boolean isLeader();

    /** Proposes {@code entry} (an ACK envelope) to the group; completes when applied, or exceptionally. */
    CompletableFuture<Object> propose(byte[] entry);
}
