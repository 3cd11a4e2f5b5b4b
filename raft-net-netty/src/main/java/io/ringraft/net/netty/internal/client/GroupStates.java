package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.LoadBalancer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's handles to the groups it was asked for, one each (with what it knows of the group).
 * Holds one entry per group the application asked for. Thread-safe.
 */
public final class GroupStates {

    private final Map<Long, GroupClient> handles = new ConcurrentHashMap<>();
    private final ClientLinks links;
    private final InFlight inFlight;
    private final LoadBalancer balancer;

    /**
     * @param links    the client's connections
     * @param inFlight the client's bound on calls in flight
     * @param balancer the caller's strategy of askOne, or null for each group's advertised one
     */
    public GroupStates(ClientLinks links, InFlight inFlight, LoadBalancer balancer) {
        this.links = links;
        this.inFlight = inFlight;
        this.balancer = balancer;
    }

    /** {@return the handle to group {@code groupId}} @param groupId the group */
    public GroupClient handle(long groupId) {
        return handles.computeIfAbsent(groupId, id -> new GroupHandle(id, links, inFlight, new GroupState(), balancer));
    }
}
