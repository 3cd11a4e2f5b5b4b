package io.ringraft.net.netty.internal.client;

/**
 * The client server's bounds.
 *
 * @param maxConnections           most client connections at once; one more gets a CLIENT_ERROR and is closed
 * @param maxInFlightPerConnection most requests of one connection in progress; one more is answered BUSY
 */
public record ServerLimits(int maxConnections, int maxInFlightPerConnection) {
}
