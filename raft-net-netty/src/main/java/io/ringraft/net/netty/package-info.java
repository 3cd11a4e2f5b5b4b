/**
 * RingRaft's TCP transport on Netty: {@link io.ringraft.net.netty.NettyTransport}, a
 * {@code RaftTransportFactory} that one process shares among all its Raft nodes and groups, with
 * its {@link io.ringraft.net.netty.TlsOptions} and {@link io.ringraft.net.netty.TransportStats}.
 *
 * <p>Length-prefixed binary frames with a protocol version byte and a group id, a handshake with
 * cluster id, node id and version, lazy connections with jittered exponential backoff, outbound
 * back-pressure through channel writability, inbound back-pressure by pausing reads, optional
 * (mutual) TLS. The wire format is described in {@code docs/transport.md}. Everything under
 * {@code io.ringraft.net.netty.internal} is implementation and not exported.
 */
package io.ringraft.net.netty;
