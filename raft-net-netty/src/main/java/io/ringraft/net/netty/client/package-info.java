/**
 * The client protocol over Netty: {@link io.ringraft.net.netty.client.ClientServer} serves clients on a
 * node's Raft port, {@link io.ringraft.net.netty.client.NettyRaftClientFactory} makes
 * {@code io.ringraft.api.client.RaftClient}s (see docs/client.md).
 */
package io.ringraft.net.netty.client;
