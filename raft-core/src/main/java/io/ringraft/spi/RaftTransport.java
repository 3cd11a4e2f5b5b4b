package io.ringraft.spi;

import io.ringraft.message.RaftMessage;

/**
 * One node's endpoint on the network: sends its messages to its peers. Created by a
 * {@link RaftTransportFactory}; RingRaft ships an in-process one (tests, single-JVM clusters) and a
 * Netty TCP one in {@code raft-net-netty}.
 *
 * <p><b>Threads.</b> {@link #send} is called by the node's replicator tasks, one thread per peer at
 * most at a time but possibly several peers concurrently; it must be thread-safe across peers.
 *
 * <p><b>Never blocks, never throws for a network problem.</b> A message that cannot be sent now
 * (peer unreachable, outbound buffer full, transport closed) is refused with {@code false}; Raft
 * retries from its progress pointers, so dropping is always safe. Entries of an AppendEntries are a
 * view that is valid only during the call: the transport encodes or copies them before returning,
 * then checks {@link LogEntries#stillValid()} and, if it is false, discards its copy and returns
 * {@code false} (the view was over ring slots the node reused meanwhile).
 */
public interface RaftTransport extends AutoCloseable {

    /**
     * Sends {@code message} to {@code message.to()} of the same group.
     *
     * @param message the message (its {@code to} names the receiver)
     * @return true if the message was accepted for delivery (delivery is still not guaranteed)
     */
    boolean send(RaftMessage message);

    /** Stops sending and receiving for this node. */
    @Override
    void close();
}
