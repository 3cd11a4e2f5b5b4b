package io.ringraft.spi;

/**
 * Creates the {@link RaftTransport} of a node and wires inbound messages to it.
 *
 * <p>Called once per node when it starts, on the starting thread. One factory may serve many nodes
 * of many groups in one process, and should share connections between them (every message is
 * routed by group id and node id).
 */
@FunctionalInterface
public interface RaftTransportFactory {

    /**
     * Connects node {@code selfId} of group {@code groupId}.
     *
     * @param groupId the node's group
     * @param selfId the node's id
     * @param inbound receives the messages addressed to this node
     * @return the node's endpoint for sending
     */
    RaftTransport connect(long groupId, long selfId, InboundHandler inbound);

    /**
     * The largest entry payload (one command) this transport can carry to a peer in one message: an
     * AppendEntries holding only that entry, or a forwarded command of that size, after the transport's
     * own framing. {@code RaftNode.Builder.build()} refuses a {@code RaftConfig.maxEntryBytes()} above
     * it: an entry the leader cannot send would stall replication to every follower, and cost the leader
     * its leadership.
     *
     * <p>Called by {@code build()} on the building thread, before {@link #connect}; must not block.
     *
     * @return the largest payload in bytes; the default, {@link Integer#MAX_VALUE}, sets no limit (an
     *         in-process transport passes references)
     */
    default int maxEntryBytes() {
        return Integer.MAX_VALUE;
    }

    /** Receives inbound messages for one node. */
    @FunctionalInterface
    interface InboundHandler {
        /**
         * Offers a message to the node. Never blocks.
         *
         * <p>A message holding transport memory ({@link io.ringraft.message.Releasable}) belongs to the
         * node once accepted: the node releases it exactly once when done. A refused message stays
         * the transport's, which releases it if it drops it.
         *
         * @param message the message for this node
         * @return false if the node's bounded inbound queue is full; the transport then drops the
         *         message or pauses reading from its connection for a bounded time. A stopped node
         *         accepts and discards everything (true), so it never pauses a shared connection.
         */
        boolean offer(io.ringraft.message.RaftMessage message);
    }
}
