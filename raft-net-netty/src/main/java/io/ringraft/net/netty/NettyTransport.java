package io.ringraft.net.netty;

import io.netty.handler.ssl.SslContext;
import io.ringraft.net.netty.internal.channel.PeerAddress;
import io.ringraft.net.netty.internal.channel.TransportCore;
import io.ringraft.net.netty.internal.channel.TransportSettings;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.MessageCodec;
import io.ringraft.net.netty.internal.codec.WireFormat;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * RingRaft's TCP transport on Netty: one per process, shared by every node (of every group) the
 * process runs. Pass it to {@code RaftNode.builder().transport(...)}.
 *
 * <pre>{@code
 * NettyTransport transport = NettyTransport.builder()
 *         .clusterId("orders").nodeId(1).bind("10.0.0.1", 7001)
 *         .peer(2, "10.0.0.2:7001").peer(3, "10.0.0.3:7001")
 *         .build();                                  // binds the port
 * RaftNode node = RaftNode.builder().nodeId(1).voters(1, 2, 3).transport(transport)...build();
 * node.start();
 * ...
 * node.close();
 * transport.close();                                 // after the nodes that use it
 * }</pre>
 *
 * <p><b>Connections.</b> A process sends over one outgoing connection per peer address, opened on
 * the first send and shared by all groups: every frame carries its group id. A peer's messages
 * arrive over the connection it opened, so two processes that talk both ways hold one connection
 * each way. Each connection starts with a handshake (cluster id, node id, protocol version); a
 * connection from another cluster, an unknown node id or an incompatible version is refused with
 * a logged reason. Lost connections are re-established lazily with jittered exponential backoff
 * bounded at 250 ms by default, and at once when the peer connects to this process; a peer that is
 * down costs one refused connect per delay, only while something is sent to it.
 *
 * <p><b>Bounded.</b> {@link RaftTransport#send} never blocks: it encodes the message into a pooled
 * direct buffer and writes it if the connection is below its high water mark, and returns false
 * otherwise (not connected, unwritable, unknown peer). Received messages go to the node's bounded
 * inbound queue; while it is full, the connection stops reading for a bounded time. Malformed,
 * truncated, oversized or random frames close that connection (counted in {@link #stats()}, logged);
 * other connections carry on. The wire format and every limit are in {@code docs/transport.md}.
 *
 * <p><b>Addresses.</b> Node ids map to {@code host:port} in a map shared by all groups, optionally
 * overridden per group. Node ids in the handshake are process ids: the id a process gives
 * {@link Builder#nodeId} must appear in its peers' maps. The maps can change at runtime
 * ({@link #peer(long, String)}); changes apply to the next send.
 *
 * <p>Thread-safe. Uses native epoll when available, NIO otherwise; event loop threads are daemons.
 */
public final class NettyTransport implements RaftTransportFactory, AutoCloseable {

    private final TransportCore core;
    private final String clusterId;
    private final long nodeId;
    private final int maxFrameBytes;

    private NettyTransport(TransportCore core, String clusterId, long nodeId, int maxFrameBytes) {
        this.core = core;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * A builder; cluster id, node id and bind address are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers node {@code selfId} of group {@code groupId} for inbound messages and returns its
     * endpoint. Closing the endpoint (the node does on close) unregisters it; the same node may
     * connect again afterwards, e.g. after a restart.
     *
     * @throws IllegalStateException if that node is already connected, or the transport is closed
     */
    @Override
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        Objects.requireNonNull(inbound, "inbound");
        return core.connect(groupId, selfId, inbound);
    }

    /**
     * The largest entry this transport carries: {@link Builder#maxFrameBytes} less the framing of an
     * AppendEntries holding one entry (75 bytes; a forwarded command frames less). A node built on this
     * transport with a larger {@code RaftConfig.maxEntryBytes} is refused by {@code RaftNode.Builder.build()}.
     * Any thread.
     *
     * @return the largest entry payload in bytes
     */
    @Override
    public int maxEntryBytes() {
        return MessageCodec.maxEntryPayloadBytes(maxFrameBytes);
    }

    /** {@return the address the transport listens on (with the actual port when bound to port 0)} */
    public InetSocketAddress localAddress() {
        return core.localAddress();
    }

    /** {@return the cluster id sent and checked in every handshake} */
    public String clusterId() {
        return clusterId;
    }

    /** {@return this process's node id in the handshake} */
    public long nodeId() {
        return nodeId;
    }

    /** {@return true if native epoll is in use, false for NIO} */
    public boolean isNative() {
        return core.nativeTransport();
    }

    /**
     * Serves clients on this transport's port: a connection whose HELLO carries the client role (node id
     * 0) and this cluster's id is handed, once the handshake is done, to {@code clients}, which installs the
     * client protocol's handlers ({@code io.ringraft.net.netty.client.ClientServer} calls this; applications
     * use that class). Without it such connections are refused. Any thread.
     *
     * @param clients takes each client connection on its event loop, or null to refuse them again
     */
    public void acceptClients(java.util.function.Consumer<io.netty.channel.Channel> clients) {
        core.acceptClients(clients);
    }

    /** {@return the largest frame this transport takes, without its length prefix} */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * Sets the address of {@code nodeId} for every group (unless a group overrides it).
     *
     * @param nodeId the node's id (positive)
     * @param hostPort {@code host:port}, or {@code [ipv6]:port}
     * @return this transport
     */
    public NettyTransport peer(long nodeId, String hostPort) {
        core.putPeer(nodeId, PeerAddress.parse(hostPort));
        return this;
    }

    /**
     * Sets the address of {@code nodeId} for group {@code groupId} only.
     *
     * @param groupId the Raft group
     * @param nodeId the node's id (positive)
     * @param hostPort {@code host:port}, or {@code [ipv6]:port}
     * @return this transport
     */
    public NettyTransport peer(long groupId, long nodeId, String hostPort) {
        core.putPeer(groupId, nodeId, PeerAddress.parse(hostPort));
        return this;
    }

    /**
     * Forgets the shared address of {@code nodeId}.
     *
     * @param nodeId the node's id (positive)
     */
    public void removePeer(long nodeId) {
        core.removePeer(nodeId);
    }

    /**
     * Forgets the address of {@code nodeId} in group {@code groupId}.
     *
     * @param groupId the Raft group
     * @param nodeId the node's id (positive)
     */
    public void removePeer(long groupId, long nodeId) {
        core.removePeer(groupId, nodeId);
    }

    /**
     * The transport's counters now.
     *
     * @return a snapshot of the counters
     */
    public TransportStats stats() {
        return core.stats();
    }

    /**
     * Closes the listener and all connections and stops the event loops. Close the nodes that use
     * the transport first; their sends fail from now on. Idempotent.
     */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "NettyTransport[cluster=" + clusterId + " node=" + nodeId + " listening=" + localAddress()
                + " maxFrameBytes=" + maxFrameBytes + "]";
    }

    /** Builds and binds a {@link NettyTransport}. Not thread-safe. */
    public static final class Builder {
        private String clusterId;
        private long nodeId;
        private InetSocketAddress bindAddress;
        private final Map<Long, String> peers = new LinkedHashMap<>();
        private final Map<Long, Map<Long, String>> groupPeers = new LinkedHashMap<>();
        private int maxFrameBytes = 4 << 20;
        private TlsOptions tls;
        private int eventLoopThreads = 2;
        private boolean preferNative = true;
        private Duration backoffInitial = Duration.ofMillis(50);
        private Duration backoffMax = Duration.ofMillis(250);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int lowWaterMark = 256 << 10;
        private int highWaterMark = 1 << 20;
        private int controlReserveBytes = 64 << 10;
        private Duration maxInboundPause = Duration.ofMillis(200);
        private Duration stallTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * The cluster's name (1..255 UTF-8 bytes); connections between different clusters are refused.
         *
         * @param clusterId the cluster's name
         * @return this builder
         */
        public Builder clusterId(String clusterId) {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /**
         * This process's node id (positive), announced in the handshake.
         *
         * @param nodeId the node's id (positive)
         * @return this builder
         */
        public Builder nodeId(long nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * Where to listen; port 0 picks a free port (see {@link NettyTransport#localAddress()}).
         *
         * @param host the host name or IP address to bind
         * @param port the port, or 0 for a free one
         * @return this builder
         */
        public Builder bind(String host, int port) {
            return bind(new InetSocketAddress(host, port));
        }

        /**
         * Where to listen.
         *
         * @param address the address to bind
         * @return this builder
         */
        public Builder bind(InetSocketAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The address ({@code host:port} or {@code [ipv6]:port}) of {@code nodeId}, for every group.
         *
         * @param nodeId the node's id (positive)
         * @param hostPort {@code host:port}, or {@code [ipv6]:port}
         * @return this builder
         */
        public Builder peer(long nodeId, String hostPort) {
            PeerAddress.parse(hostPort);
            peers.put(nodeId, hostPort);
            return this;
        }

        /**
         * The addresses of several nodes, for every group.
         *
         * @param addresses node id to {@code host:port}
         * @return this builder
         */
        public Builder peers(Map<Long, String> addresses) {
            addresses.forEach(this::peer);
            return this;
        }

        /**
         * The address of {@code nodeId} in group {@code groupId}, overriding the shared one.
         *
         * @param groupId the Raft group
         * @param nodeId the node's id (positive)
         * @param hostPort {@code host:port}, or {@code [ipv6]:port}
         * @return this builder
         */
        public Builder peer(long groupId, long nodeId, String hostPort) {
            PeerAddress.parse(hostPort);
            groupPeers.computeIfAbsent(groupId, g -> new LinkedHashMap<>()).put(nodeId, hostPort);
            return this;
        }

        /**
         * Largest frame, without its 4-byte length prefix (default 4 MiB; at least 1 KiB, at most
         * 1 GiB). Must exceed the node's largest entry ({@code RaftConfig.maxEntryBytes}) by the 75 bytes
         * of an AppendEntries' framing ({@link NettyTransport#maxEntryBytes()}): {@code RaftNode}'s builder
         * refuses a node whose entries would not fit. An AppendEntries that does not fit is sent with
         * the prefix of its entries that does.
         * Must also exceed the snapshot chunk size plus the encoded membership plus 67 bytes: a
         * snapshot chunk that does not fit is refused (it cannot be cut).
         *
         * @param maxFrameBytes the largest frame in bytes, without its length prefix
         * @return this builder
         */
        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * Enables TLS on every connection (default: plaintext, for loopback development).
         *
         * @param tls the key and trust material and TLS settings
         * @return this builder
         */
        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Event loop threads for all connections (default 2).
         *
         * @param threads the number of event loop threads (at least 1)
         * @return this builder
         */
        public Builder eventLoopThreads(int threads) {
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * Use native epoll when available (default true); false forces NIO.
         *
         * @param preferNative false to run on NIO even where epoll is available
         * @return this builder
         */
        public Builder preferNativeTransport(boolean preferNative) {
            this.preferNative = preferNative;
            return this;
        }

        /**
         * Reconnect delays: the n-th consecutive failure waits a random time in
         * {@code [c/2, c]} with {@code c = min(max, initial * 2^(n-1))} (default 50 ms, 250 ms). Keep
         * {@code max} well under the time a partition may take to heal: a peer that comes back is
         * reached at the latest {@code max} later (sooner when it dials this process first, which
         * resets the delay). Each attempt to a down peer costs one refused connect.
         *
         * @param initial the delay after the first failure
         * @param max the longest delay
         * @return this builder
         */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.backoffInitial = Objects.requireNonNull(initial, "initial");
            this.backoffMax = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * TCP connect timeout (default 3 s).
         *
         * @param timeout the time allowed
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Time a connection has to complete TLS and the RingRaft handshake (default 5 s).
         *
         * @param timeout the time allowed
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Outbound buffer bounds per connection (default 256 KiB and 1 MiB): above {@code high},
         * sends are refused until the buffer drains below {@code low}.
         *
         * @param low the low water mark in bytes
         * @param high the high water mark in bytes
         * @return this builder
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return this;
        }

        /**
         * Extra outbound bytes above the high water mark that votes, responses and heartbeats may
         * use (default 64 KiB), so that bulk replication never starves them.
         *
         * @param bytes the reserve in bytes
         * @return this builder
         */
        public Builder controlReserveBytes(int bytes) {
            this.controlReserveBytes = bytes;
            return this;
        }

        /**
         * Longest a connection stops reading while a node's inbound queue is full (default 200 ms);
         * then messages the node still refuses are dropped and reading resumes.
         *
         * @param pause the longest pause
         * @return this builder
         */
        public Builder maxInboundPause(Duration pause) {
            this.maxInboundPause = Objects.requireNonNull(pause, "pause");
            return this;
        }

        /**
         * A connection unwritable for this long is closed as stalled (default 10 s).
         *
         * @param timeout the time allowed
         * @return this builder
         */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Validates the settings, starts the event loops and binds the listening socket.
         *
         * @return the running transport, bound and listening
         * @throws IllegalArgumentException     if a setting is missing or invalid
         * @throws java.io.UncheckedIOException if the address cannot be bound
         */
        public NettyTransport build() {
            if (clusterId == null) {
                throw new IllegalArgumentException("clusterId is required");
            }
            HandshakeCodec.clusterIdBytes(clusterId);
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            if (bindAddress == null) {
                throw new IllegalArgumentException("bind address is required");
            }
            if (maxFrameBytes < WireFormat.MIN_MAX_FRAME_BYTES || maxFrameBytes > (1 << 30)) {
                throw new IllegalArgumentException("maxFrameBytes must be in " + WireFormat.MIN_MAX_FRAME_BYTES
                        + ".." + (1 << 30) + ", got " + maxFrameBytes);
            }
            if (eventLoopThreads < 1) {
                throw new IllegalArgumentException("eventLoopThreads must be positive, got " + eventLoopThreads);
            }
            if (lowWaterMark < 1 || highWaterMark < lowWaterMark) {
                throw new IllegalArgumentException("need 0 < low <= high water mark, got " + lowWaterMark + ", "
                        + highWaterMark);
            }
            if (controlReserveBytes < 0) {
                throw new IllegalArgumentException("controlReserveBytes must not be negative");
            }
            requirePositive(backoffInitial, "reconnect backoff initial");
            requirePositive(connectTimeout, "connect timeout");
            requirePositive(handshakeTimeout, "handshake timeout");
            requirePositive(maxInboundPause, "max inbound pause");
            requirePositive(stallTimeout, "stall timeout");
            if (backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException("reconnect backoff max " + backoffMax + " < initial " + backoffInitial);
            }
            TransportSettings settings = new TransportSettings(clusterId, nodeId, maxFrameBytes,
                    (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()), handshakeTimeout.toMillis(),
                    lowWaterMark, highWaterMark, controlReserveBytes, maxInboundPause.toNanos(),
                    stallTimeout.toNanos(), backoffInitial.toNanos(), backoffMax.toNanos(), 4096);
            SslContext serverSsl = null;
            SslContext clientSsl = null;
            if (tls != null) {
                try {
                    serverSsl = tls.serverContext();
                    clientSsl = tls.clientContext();
                } catch (SSLException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid TLS material: " + e.getMessage(), e);
                }
            }
            TransportCore core = new TransportCore(settings, serverSsl, clientSsl, eventLoopThreads, preferNative,
                    bindAddress);
            NettyTransport transport = new NettyTransport(core, clusterId, nodeId, maxFrameBytes);
            peers.forEach(transport::peer);
            groupPeers.forEach((group, map) -> map.forEach((node, address) -> transport.peer(group, node, address)));
            return transport;
        }

        private static void requirePositive(Duration duration, String what) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + duration);
            }
        }
    }
}
