/**
 * TCP transport for RingRaft on Netty. <b>Not implemented yet</b>; this package is a placeholder
 * and contains no classes.
 *
 * <p>It will hold framing and a codec for every Raft message, pipelined replication, chunked
 * snapshot transfer, reconnect with backoff, TLS and a cluster-id handshake, with one connection
 * between two processes carrying all the Raft groups they share. Until then use the in-process
 * transport in {@code raft-core}. The work is tracked by the transport issue.
 */
package io.ringraft.net.netty;
