package io.ringraft.examples.kv;

import java.util.concurrent.CompletableFuture;

/**
 * Where a node's RESP server sends what only the leader can do. Futures fail with the
 * {@code RaftException}s of {@code RaftNode} (for example {@code NotLeaderException} when no leader
 * is known), so the server can tell a certain failure from an uncertain one.
 */
public interface WriteRouter {

    /** Proposes a {@link KvCodec} command at the leader; completes with its result once applied there. */
    CompletableFuture<Object> propose(byte[] command);

    /** Asks the leader to hand leadership to {@code targetNodeId}. */
    CompletableFuture<Void> transferLeadership(long targetNodeId);
}
