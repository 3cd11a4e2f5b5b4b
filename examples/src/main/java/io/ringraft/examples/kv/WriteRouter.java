package io.ringraft.examples.kv;

import io.ringraft.api.Membership;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Where a node's RESP server sends what only the leader can do. Futures fail with the
 * {@code RaftException}s of {@code RaftNode} (for example {@code NotLeaderException} when no leader
 * is known), so the server can tell a certain failure from an uncertain one.
 */
public interface WriteRouter {

    /** Proposes a {@link KvCodec} command at the leader; completes with its result once applied there. */
    /**
     * {@return {@code command} (a KV command as {@link KvCodec} encodes it) in the envelope this group's
     * state machine expects} By default a plain command of the {@link io.ringraft.api.client.SessionStateMachine}
     * that serves RaftClients' sessions too; a messaging group's router wraps it for its outbox instead.
     *
     * @param command the encoded KV command
     */
    default byte[] frame(byte[] command) {
        return io.ringraft.api.client.SessionCommands.plain(command);
    }

    CompletableFuture<Object> propose(byte[] command);

    /**
     * {@link #propose(byte[])} by a caller that waits at most {@code answerWait} to learn whether the
     * leader appended the command: a router that sends it elsewhere ({@code RaftNode.forward}) fails it
     * definitely ({@code RejectedException}) if the leader did not take it by then. By default the
     * same as {@link #propose(byte[])}.
     *
     * @param command     a {@link KvCodec} command
     * @param answerWait  how long to wait for the leader to take it
     * @return as {@link #propose(byte[])}
     */
    default CompletableFuture<Object> propose(byte[] command, java.time.Duration answerWait) {
        return propose(command);
    }

    /** Asks the leader to hand leadership to {@code targetNodeId}. */
    CompletableFuture<Void> transferLeadership(long targetNodeId);

    /**
     * Changes the membership at the leader ({@code RaftNode.changeMembership}): {@code change} is
     * applied there to the leader's current membership ({@code RaftStatus.membership()}, read just
     * before) and returns the new one; only its voters and learners matter. The future completes
     * once the new configuration is committed.
     *
     * <p>It fails with what {@code change} throws (an {@link IllegalArgumentException}: the request
     * makes no sense against the current membership; nothing was changed), with an
     * {@link IllegalArgumentException} if the new membership names a node this router cannot reach,
     * with a {@link LeaderElsewhereException} if this router runs admin actions only on the leader and
     * this node is not it, or with {@code changeMembership}'s {@code RaftException}s.
     *
     * <p>{@code RaftNode} offers no compare-and-set on the configuration: two changes computed from
     * the same membership at the same moment (two clients) could both be accepted one after the
     * other, the second undoing the first. The core refuses a change while another is uncommitted,
     * so this needs them to race within the few microseconds between reading the membership and the
     * core taking the change.
     */
    CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change);
}
