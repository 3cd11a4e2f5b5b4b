package io.ringraft.net.netty.internal.channel;

import java.net.InetSocketAddress;

/**
 * Where a peer process listens: a host name or IP literal and a port. Connections are keyed by it,
 * so every node id (of every group) mapped to one address shares one connection. Resolved on each
 * connect attempt, so a DNS change takes effect at the next reconnect.
 */
public record PeerAddress(String host, int port) {

    public PeerAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static PeerAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new PeerAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'", e);
        }
    }

    /** The address of {@code socket} (its host string, which is not resolved again). */
    public static PeerAddress of(InetSocketAddress socket) {
        return new PeerAddress(socket.getHostString(), socket.getPort());
    }

    /** An unresolved socket address: Netty resolves it when connecting. */
    InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
