package io.ringraft.api.client;

import java.time.Duration;
import java.util.Map;

/**
 * What {@link RaftClient.Builder} collected, handed to a {@link RaftClientFactory}. Immutable.
 *
 * @param seeds          node id to {@code host:port} of the nodes to contact first (their Raft ports)
 * @param clusterId      the cluster id every node checks in the handshake
 * @param timeout        default deadline of a call
 * @param attemptTimeout how long one attempt at one replica may take before the call tries again
 * @param maxInFlight    most calls in flight at once over the whole client
 * @param sessionWindow  most sequence numbers of one session between the oldest unanswered write and the newest
 * @param balancer       the caller's strategy of {@code askOne} for every group, or null (each group's advertised one)
 * @param zones          zone of each node, for {@link LoadBalancer#preferZone}
 * @param options        transport-specific options (the Netty client reads {@code "tls"}, a {@code TlsOptions})
 */
public record ClientSettings(Map<Long, String> seeds, String clusterId, Duration timeout, Duration attemptTimeout,
                             int maxInFlight, int sessionWindow, LoadBalancer balancer, Map<Long, String> zones,
                             Map<String, Object> options) {
}
