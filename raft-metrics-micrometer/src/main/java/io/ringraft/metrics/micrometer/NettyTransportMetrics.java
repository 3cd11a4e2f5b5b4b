package io.ringraft.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.net.netty.TransportStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Micrometer counters of a {@link NettyTransport}: frames and bytes sent and received, connection attempts,
 * failures and closes, refused sends and inbound drops by reason, polled from
 * {@link NettyTransport#stats()}. Tagged {@code transport.node.id} (the process's node id in the handshake)
 * and {@code cluster.id}, plus the extra tags given. Needs {@code raft-net-netty} on the class path (an
 * optional dependency of this module).
 *
 * <pre>{@code
 * NettyTransportMetrics transportMetrics = new NettyTransportMetrics(transport);
 * transportMetrics.bindTo(registry);
 * ...
 * transportMetrics.close();   // removes the counters, e.g. before closing the transport
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #bindTo} and {@link #close} on any thread, once each. The counters are read by
 * the registry's publishing or scraping thread; they share one {@code stats()} read per
 * {@value #STATS_CACHE_MILLIS} ms. Nothing runs on the transport's threads: its own counters are
 * lock-free adders.
 */
public final class NettyTransportMetrics implements MeterBinder, AutoCloseable {

    /** How long the counters reuse one {@code stats()} of the transport. */
    static final long STATS_CACHE_MILLIS = 100;

    private final NettyTransport transport;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;
    private volatile TransportStats stats;
    private volatile long statsAt;

    /**
     * Counters of {@code transport}.
     *
     * @param transport the transport to poll
     */
    public NettyTransportMetrics(NettyTransport transport) {
        this(transport, Tags.empty());
    }

    /**
     * Counters of {@code transport}, each with {@code extraTags} besides its ids.
     *
     * @param transport the transport to poll
     * @param extraTags tags for every counter
     */
    public NettyTransportMetrics(NettyTransport transport, Iterable<Tag> extraTags) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.tags = Tags.of(Objects.requireNonNull(extraTags, "extraTags"))
                .and("transport.node.id", Long.toString(transport.nodeId()), "cluster.id", transport.clusterId());
    }

    /**
     * Registers the counters in {@code registry}.
     *
     * @param registry where they go
     * @throws IllegalStateException if they are registered already
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("the counters of " + transport + " are registered already");
        }
        this.registry = registry;
        counter("ringraft.transport.frames.sent", "Raft messages written", null, TransportStats::framesSent);
        counter("ringraft.transport.frames.received", "Raft messages decoded", null, TransportStats::framesReceived);
        counter("ringraft.transport.flushes", "flushes of outgoing connections (each writes every frame queued since"
                + " the previous one: frames.sent / flushes is frames per write)", null, TransportStats::flushes);
        bytes("ringraft.transport.bytes.sent", "bytes of the frames written (without length prefix, before TLS)",
                TransportStats::bytesSent);
        bytes("ringraft.transport.bytes.received", "bytes of the frames decoded (without length prefix)",
                TransportStats::bytesReceived);
        counter("ringraft.transport.connect.attempts", "outgoing connection attempts", null,
                TransportStats::connectAttempts);
        counter("ringraft.transport.connect.failures", "outgoing connection attempts whose TCP connect failed", null,
                TransportStats::connectFailures);
        counter("ringraft.transport.connections", "handshakes completed", Tag.of("direction", "outgoing"),
                TransportStats::connectionsEstablished);
        counter("ringraft.transport.connections", "handshakes completed", Tag.of("direction", "incoming"),
                TransportStats::connectionsAccepted);
        counter("ringraft.transport.handshakes.refused", "handshakes refused", Tag.of("by", "self"),
                TransportStats::handshakesRefused);
        counter("ringraft.transport.handshakes.refused", "handshakes refused", Tag.of("by", "peer"),
                TransportStats::handshakesRejectedByPeer);
        counter("ringraft.transport.connections.closed", "connections closed for an error",
                Tag.of("reason", "tls"), TransportStats::tlsFailures);
        counter("ringraft.transport.connections.closed", "connections closed for an error",
                Tag.of("reason", "protocol"), TransportStats::protocolErrors);
        counter("ringraft.transport.connections.closed", "connections closed for an error",
                Tag.of("reason", "stalled"), TransportStats::stalledConnectionsClosed);
        counter("ringraft.transport.sends.refused", "sends refused (Raft resends)", Tag.of("reason", "unknown_peer"),
                TransportStats::sendsRefusedUnknownPeer);
        counter("ringraft.transport.sends.refused", "sends refused (Raft resends)", Tag.of("reason", "not_connected"),
                TransportStats::sendsRefusedNotConnected);
        counter("ringraft.transport.sends.refused", "sends refused (Raft resends)", Tag.of("reason", "unwritable"),
                TransportStats::sendsRefusedUnwritable);
        counter("ringraft.transport.sends.refused", "sends refused (Raft resends)", Tag.of("reason", "too_large"),
                TransportStats::sendsRefusedTooLarge);
        counter("ringraft.transport.appends.truncated", "AppendEntries sent with only the entries that fit a frame",
                null, TransportStats::appendsTruncated);
        counter("ringraft.transport.inbound.pauses", "times a connection stopped reading for a full node", null,
                TransportStats::inboundPauses);
        counter("ringraft.transport.inbound.dropped", "received messages dropped", Tag.of("reason", "no_node"),
                TransportStats::inboundDroppedNoNode);
        counter("ringraft.transport.inbound.dropped", "received messages dropped", Tag.of("reason", "full"),
                TransportStats::inboundDroppedFull);
    }

    /** Removes the counters from the registry they were bound to (if any). Idempotent. */
    @Override
    public synchronized void close() {
        if (registry != null) {
            for (Meter meter : meters) {
                registry.remove(meter);
            }
        }
        meters.clear();
    }

    private void counter(String name, String description, Tag tag, ToLongFunction<TransportStats> value) {
        // The meter holds its object weakly: the transport (kept by the application while it runs), and the
        // function (held strongly) reaches this binder's stats cache.
        FunctionCounter.Builder<NettyTransport> builder = FunctionCounter
                .builder(name, transport, t -> value.applyAsLong(stats())).description(description).tags(tags);
        if (tag != null) {
            builder.tags(Tags.of(tag));
        }
        meters.add(builder.register(registry));
    }

    private void bytes(String name, String description, ToLongFunction<TransportStats> value) {
        meters.add(FunctionCounter.builder(name, transport, t -> value.applyAsLong(stats())).description(description)
                .baseUnit("bytes").tags(tags).register(registry));
    }

    private TransportStats stats() {
        long now = System.nanoTime();
        TransportStats s = stats;
        if (s == null || now - statsAt > TimeUnit.MILLISECONDS.toNanos(STATS_CACHE_MILLIS)) {
            s = transport.stats();
            stats = s;
            statsAt = now;
        }
        return s;
    }
}
