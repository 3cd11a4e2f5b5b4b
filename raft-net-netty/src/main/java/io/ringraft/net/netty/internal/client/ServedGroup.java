package io.ringraft.net.netty.internal.client;

import io.ringraft.api.RaftNode;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.SessionWrapper;

/**
 * A group this node serves to clients: the replica, and the session wrapper its state machine is.
 *
 * @param node    the replica
 * @param machine   its state machine, a session wrapper (local reads go through it)
 * @param balancing the balancing the group advertises to clients, or null
 */
public record ServedGroup(RaftNode node, SessionWrapper machine, GroupBalancing balancing) {
}
