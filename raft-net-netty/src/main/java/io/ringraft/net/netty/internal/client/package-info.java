/**
 * The client protocol's internals: its frames ({@link io.ringraft.net.netty.internal.client.ClientCodec}),
 * the server's per-connection handler and the client's connections to nodes. See {@code docs/client.md}.
 */
package io.ringraft.net.netty.internal.client;
