package io.ringraft.net.netty.client;

import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.SessionStateMachine;
import io.ringraft.api.client.SessionWrapper;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.net.netty.internal.client.ClientAcceptor;
import io.ringraft.net.netty.internal.client.ServedGroup;
import io.ringraft.net.netty.internal.client.ServerLimits;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Serves {@code RaftClient}s on a node's Raft port: connections whose handshake carries the client role
 * (and this cluster's id) speak the client protocol (docs/client.md) to this node's groups, with the
 * transport's TLS (and mutual TLS) if it has any. Build one per process after its nodes or host, with
 * the session wrapper each served group's state machine is ({@link SessionStateMachine},
 * {@code StreamingSessionStateMachine}, or an application's own {@link SessionWrapper}), and for messaging
 * groups ({@link Builder#messaging}) deliveries from other processes' outboxes and remote keyed subscriptions;
 * {@link #close()} stops serving (the transport goes on).
 *
 * <p><b>Bounded.</b> At most {@link Builder#maxConnections} client connections (one more gets an error
 * frame and is closed) and {@link Builder#maxInFlightPerConnection} requests of one connection in
 * progress (one more is answered BUSY at once: nothing happened). A malformed or oversized frame
 * (beyond the transport's {@code maxFrameBytes}) gets an error frame and closes only that connection;
 * a request for a group this node does not serve is answered UNKNOWN_GROUP; a wrong cluster id is
 * refused in the handshake. The node goes on serving everyone else.
 *
 * <p><b>Threads.</b> Requests are served on the transport's event loops; session commands are proposed
 * on the leader (never blocking), answers written when the node completes them. Reads at consistency
 * {@code ANY} or bounded staleness run the state machine's query on the event loop, waiting for an apply
 * batch in progress (the wrapper's lock); so do remote subscriptions' log reads (at most 16 reads of one
 * batch each per turn, then the loop's other work). Thread-safe.
 */
public final class ClientServer implements AutoCloseable {

    private final NettyTransport transport;
    private final ClientAcceptor acceptor;

    private ClientServer(NettyTransport transport, ClientAcceptor acceptor) {
        this.transport = transport;
        this.acceptor = acceptor;
    }

    /**
     * {@return a builder serving clients on {@code transport}'s port}
     *
     * @param transport the node's transport (its port, cluster id, TLS and frame limit apply)
     */
    public static Builder builder(NettyTransport transport) {
        return new Builder(Objects.requireNonNull(transport, "transport"));
    }

    /** {@return client connections open now} */
    public int connections() {
        return acceptor.connections();
    }

    /** Stops taking client connections and closes the open ones. Idempotent. */
    @Override
    public void close() {
        transport.acceptClients(null);
        acceptor.closeAll();
    }

    /** Configures a {@link ClientServer}. Not thread-safe. */
    public static final class Builder {
        private final NettyTransport transport;
        private final Map<Long, RaftNode> nodes = new HashMap<>();
        private final Map<Long, SessionWrapper> nodeMachines = new HashMap<>();
        private LongFunction<GroupBalancing> balancing = groupId -> null;
        private final Map<Long, String> advertised = new HashMap<>();
        private RaftHost host;
        private LongFunction<? extends SessionWrapper> hostMachines;
        private LongFunction<MessagingGroup> messaging = groupId -> null;
        private int maxConnections = 1024;
        private int maxInFlightPerConnection = 1024;

        private Builder(NettyTransport transport) {
            this.transport = transport;
        }

        /**
         * Serves {@code node}'s group.
         *
         * @param node    a node on this transport
         * @param machine the session wrapper the node's state machine is (a SessionStateMachine, a StreamingSessionStateMachine, or the application's own)
         * @return this builder
         */
        public Builder node(RaftNode node, SessionWrapper machine) {
            nodes.put(node.groupId(), node);
            nodeMachines.put(node.groupId(), Objects.requireNonNull(machine, "machine"));
            return this;
        }

        /**
         * Serves every group of {@code host}, present and future.
         *
         * @param host     the host
         * @param machines the session wrapper of a group's state machine, by group id (null: not served)
         * @return this builder
         */
        public Builder host(RaftHost host, LongFunction<? extends SessionWrapper> machines) {
            this.host = Objects.requireNonNull(host, "host");
            this.hostMachines = Objects.requireNonNull(machines, "machines");
            return this;
        }

        /**
         * Serves messaging groups, by group id (null: not a messaging group here): deliveries from source
         * groups in other processes ({@code MessageRoute.through(RaftClient)}: appended by the group's leader
         * here, deduplicated by sequence) and remote keyed subscriptions to the group's committed log
         * ({@code GroupClient.subscribe}). A messaging group that is not also served with a session wrapper
         * ({@link #node}, {@link #host}) is served for these two only: session commands and reads to it are
         * answered BAD_REQUEST. Give the same groups on every node of a group.
         *
         * @param groups the messaging group of a group id, attached to its replica here, or null; called on
         *               the event loops for every request: keep it cheap
         * @return this builder
         */
        public Builder messaging(LongFunction<MessagingGroup> groups) {
            this.messaging = Objects.requireNonNull(groups, "groups");
            return this;
        }

        /**
         * The balancing every served group advertises to clients (default: none, clients use their own
         * default). Configure the same on every node of a group: a client takes whatever the member it
         * asks for the membership says.
         *
         * @param balancing the strategy and weights
         * @return this builder
         */
        public Builder balancing(GroupBalancing balancing) {
            Objects.requireNonNull(balancing, "balancing");
            this.balancing = groupId -> balancing;
            return this;
        }

        /**
         * The balancing each served group advertises to clients, by group id (null: none).
         *
         * @param balancing group id to its strategy and weights (or null); called on any thread, possibly for every request: keep it cheap
         * @return this builder
         */
        public Builder balancing(LongFunction<GroupBalancing> balancing) {
            this.balancing = Objects.requireNonNull(balancing, "balancing");
            return this;
        }

        /**
         * Tells clients where member {@code nodeId} serves them (in answers to their membership
         * requests), for members they were not given as seeds.
         *
         * @param nodeId   a member's id
         * @param hostPort its {@code host:port}
         * @return this builder
         */
        public Builder advertise(long nodeId, String hostPort) {
            advertised.put(nodeId, Objects.requireNonNull(hostPort, "hostPort"));
            return this;
        }

        /**
         * Most client connections at once (default 1024).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnections(int max) {
            this.maxConnections = positive(max, "maxConnections");
            return this;
        }

        /**
         * Most requests of one client connection in progress at once (default 1024).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxInFlightPerConnection(int max) {
            this.maxInFlightPerConnection = positive(max, "maxInFlightPerConnection");
            return this;
        }

        /** {@return the server, serving from now on} */
        public ClientServer build() {
            LongFunction<GroupBalancing> advertisedBalancing = balancing;
            Map<Long, ServedGroup> served = new HashMap<>();
            nodes.forEach((groupId, node) -> served.put(groupId, new ServedGroup(node, nodeMachines.get(groupId),
                    advertisedBalancing.apply(groupId), messagingOf(groupId))));
            RaftHost servedHost = host;
            LongFunction<? extends SessionWrapper> machines = hostMachines;
            LongFunction<MessagingGroup> messagingGroups = messaging;
            LongFunction<ServedGroup> groups = groupId -> {
                ServedGroup group = served.get(groupId);
                if (group == null && servedHost != null) {
                    RaftNode node = servedHost.group(groupId).orElse(null);
                    SessionWrapper machine = node == null ? null : machines.apply(groupId);
                    group = machine == null ? null : new ServedGroup(node, machine, advertisedBalancing.apply(groupId),
                            messagingGroups.apply(groupId));
                }
                if (group == null) {
                    MessagingGroup only = messagingGroups.apply(groupId);
                    if (only != null && only.node() != null) {
                        group = new ServedGroup(only.node(), null, advertisedBalancing.apply(groupId), only);
                    }
                }
                return group;
            };
            ClientAcceptor acceptor = new ClientAcceptor(groups,
                    new ServerLimits(maxConnections, maxInFlightPerConnection), advertised);
            transport.acceptClients(acceptor);
            return new ClientServer(transport, acceptor);
        }

        private MessagingGroup messagingOf(long groupId) {
            return messaging.apply(groupId);
        }

        private static int positive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, got " + value);
            }
            return value;
        }
    }
}
