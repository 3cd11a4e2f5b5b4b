package io.ringraft.net.netty.internal.channel;

import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.ringraft.net.netty.internal.codec.WireFormat;

/**
 * What the channel handlers of one transport share: settings, counters, the address book, the
 * inbound router and the TLS contexts (null without TLS). One per transport; no static state.
 */
final class TransportContext {

    final TransportSettings settings;
    final TransportCounters counters = new TransportCounters();
    final AddressBook addressBook = new AddressBook();
    final InboundRouter router = new InboundRouter();
    final SslContext serverSsl;
    final SslContext clientSsl;
    final LengthFieldPrepender prepender = new LengthFieldPrepender(WireFormat.LENGTH_FIELD_BYTES);
    final ConnectionErrorHandler errorHandler = new ConnectionErrorHandler(this);
    /** Takes connections that shook hands in the client role; null while no client server is attached. */
    volatile java.util.function.Consumer<io.netty.channel.Channel> clients;

    /**
     * Told the node id of every peer whose handshake on an accepted connection completed (event loop);
     * the transport points it at its connection registry, so a peer that reaches this process again is
     * dialled back at once.
     */
    volatile java.util.function.LongConsumer peerAccepted = nodeId -> { };

    TransportContext(TransportSettings settings, SslContext serverSsl, SslContext clientSsl) {
        this.settings = settings;
        this.serverSsl = serverSsl;
        this.clientSsl = clientSsl;
    }
}
