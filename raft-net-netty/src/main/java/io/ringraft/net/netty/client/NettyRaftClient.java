package io.ringraft.net.netty.client;

import io.netty.handler.ssl.SslContext;
import io.ringraft.api.client.ClientSettings;
import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.RaftClient;
import io.ringraft.net.netty.TlsOptions;
import io.ringraft.net.netty.internal.client.ClientLinks;
import io.ringraft.net.netty.internal.client.GroupStates;
import io.ringraft.net.netty.internal.client.InFlight;
import javax.net.ssl.SSLException;

/**
 * {@link RaftClient} over Netty: one connection per node (on its Raft port, handshake in the client role,
 * with TLS if the option {@code "tls"} holds a {@link TlsOptions}), one event-loop thread for the
 * client's I/O and timers. Made by {@code RaftClient.builder()...build()} through
 * {@link NettyRaftClientFactory}. Thread-safe.
 */
final class NettyRaftClient implements RaftClient {

    private final ClientLinks links;
    private final InFlight inFlight;
    private final GroupStates groups;

    NettyRaftClient(ClientSettings settings) {
        this.links = new ClientLinks(settings, tls(settings.options().get("tls")));
        this.inFlight = new InFlight(settings.maxInFlight());
        this.groups = new GroupStates(links, inFlight, settings.balancer());
    }

    private static SslContext tls(Object option) {
        if (option == null) {
            return null;
        }
        if (!(option instanceof TlsOptions tls)) {
            throw new IllegalArgumentException("option \"tls\" must be a TlsOptions, got " + option.getClass().getName());
        }
        try {
            return tls.clientContext();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot load the TLS keys or certificates: " + e.getMessage(), e);
        }
    }

    @Override
    public GroupClient group(long groupId) {
        return groups.handle(groupId);
    }

    @Override
    public void close() {
        inFlight.close();
        links.close();
    }
}
