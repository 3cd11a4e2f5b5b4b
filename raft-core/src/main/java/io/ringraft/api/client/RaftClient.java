package io.ringraft.api.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * A client of a RingRaft cluster from a process that is not a member: {@code
 * RaftClient.builder().seeds("1=10.0.0.1:7381,2=10.0.0.2:7381").clusterId("prod").build()}, then
 * {@link #group(long)} for each group it talks to. It discovers each group's membership and leader from
 * any seed, caches them, and refreshes them from every answer (a "not leader" answer, a new term). The
 * nodes serve it on their Raft port ({@code ClientServer} in raft-net-netty, docs/client.md).
 *
 * <p>Thread-safe; one client per process is enough (it holds one connection per node). Its calls never
 * block (see {@link GroupClient}). {@link #close()} fails what is in flight.
 */
public interface RaftClient extends AutoCloseable {

    /**
     * {@return the handle to group {@code groupId} (the same handle and session on every call)}
     *
     * @param groupId the group's id
     */
    GroupClient group(long groupId);

    /** Closes every connection; calls in flight fail with {@link ClientException.Reason#CLOSED}. */
    @Override
    void close();

    /** {@return a builder} */
    static Builder builder() {
        return new Builder();
    }

    /** Collects a client's settings; {@link #build()} makes it. Not thread-safe. */
    final class Builder {
        private final Map<Long, String> seeds = new TreeMap<>();
        private final Map<Long, String> zones = new TreeMap<>();
        private final Map<String, Object> options = new LinkedHashMap<>();
        private String clusterId;
        private Duration timeout = Duration.ofSeconds(10);
        private Duration attemptTimeout = Duration.ofSeconds(1);
        private int maxInFlight = 1024;
        private int sessionWindow = 128;
        private LoadBalancer balancer;
        private RaftClientFactory factory;

        private Builder() {
        }

        /**
         * Nodes to contact first, by node id (required: at least one).
         *
         * @param seeds node id to {@code host:port} (the nodes' Raft ports)
         * @return this builder
         */
        public Builder seeds(Map<Long, String> seeds) {
            this.seeds.putAll(seeds);
            return this;
        }

        /**
         * Nodes to contact first, as {@code id=host:port,id=host:port} (the KV example's {@code --peers}).
         *
         * @param spec the seeds
         * @return this builder
         * @throws IllegalArgumentException if {@code spec} is not of that form
         */
        public Builder seeds(String spec) {
            for (String part : spec.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new IllegalArgumentException("seed '" + part + "' is not id=host:port");
                }
                try {
                    seeds.put(Long.parseLong(part.substring(0, eq).trim()), part.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("seed '" + part + "' has no numeric node id", e);
                }
            }
            return this;
        }

        /**
         * The cluster's id, as its nodes were given (required).
         *
         * @param clusterId the cluster id
         * @return this builder
         */
        public Builder clusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /**
         * Default deadline of a call (default 10 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * How long one attempt at one replica may take before the call tries again (default 1 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder attemptTimeout(Duration timeout) {
            this.attemptTimeout = positive(timeout, "attemptTimeout");
            return this;
        }

        /**
         * Most calls in flight at once (default 1024); one more fails at once with
         * {@link ClientException.Reason#BUSY}. Keep it at most the groups' {@code maxResultsPerSession}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, got " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        /**
         * Most sequence numbers a group handle's session spans between its oldest unanswered write and
         * its newest (default 128): a write beyond waits (within its deadline) until the oldest is
         * answered. Keep it at most the groups' {@code SessionStateMachine.Builder.maxResultsPerSession}:
         * the group keeps the answers of the whole window, and a larger window could fill its session
         * with answers while the oldest write cannot get in.
         *
         * @param window at least 1
         * @return this builder
         */
        public Builder sessionWindow(int window) {
            if (window < 1) {
                throw new IllegalArgumentException("sessionWindow must be at least 1, got " + window);
            }
            this.sessionWindow = window;
            return this;
        }

        /**
         * The strategy of {@code askOne} for every group, overriding what the groups advertise (default:
         * none, each group's advertised {@link GroupBalancing}, or round robin where a group advertises none).
         *
         * @param balancer the strategy
         * @return this builder
         */
        public Builder balancer(LoadBalancer balancer) {
            this.balancer = Objects.requireNonNull(balancer, "balancer");
            return this;
        }

        /**
         * The zone of node {@code nodeId}, for {@link LoadBalancer#preferZone}.
         *
         * @param nodeId a node
         * @param zone   its zone
         * @return this builder
         */
        public Builder zone(long nodeId, String zone) {
            zones.put(nodeId, Objects.requireNonNull(zone, "zone"));
            return this;
        }

        /**
         * A transport-specific option (the Netty client: {@code "tls"} with a {@code TlsOptions}).
         *
         * @param key   the option's name
         * @param value its value
         * @return this builder
         */
        public Builder option(String key, Object value) {
            options.put(key, value);
            return this;
        }

        /**
         * The transport to use instead of the one {@link ServiceLoader} finds.
         *
         * @param factory the transport's client factory
         * @return this builder
         */
        public Builder factory(RaftClientFactory factory) {
            this.factory = factory;
            return this;
        }

        /**
         * {@return the client}
         *
         * @throws IllegalArgumentException if seeds or cluster id are missing
         * @throws IllegalStateException    if no transport provides clients (add raft-net-netty)
         */
        public RaftClient build() {
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("seeds must name at least one node");
            }
            if (clusterId == null || clusterId.isEmpty()) {
                throw new IllegalArgumentException("clusterId is required");
            }
            RaftClientFactory chosen = factory;
            if (chosen == null) {
                chosen = ServiceLoader.load(RaftClientFactory.class).findFirst().orElseThrow(() ->
                        new IllegalStateException("no RaftClientFactory found: add raft-net-netty to the class or module path"));
            }
            return chosen.create(new ClientSettings(Map.copyOf(seeds), clusterId, timeout, attemptTimeout, maxInFlight,
                    sessionWindow, balancer, Map.copyOf(zones), Map.copyOf(options)));
        }

        private static Duration positive(Duration value, String what) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + value);
            }
            return value;
        }
    }
}
