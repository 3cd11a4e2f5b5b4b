package io.ringraft.net.netty.internal.client;

import io.ringraft.api.RaftNode;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.SessionWrapper;
import io.ringraft.messaging.MessagingGroup;

/**
 * A group this node serves to clients: the replica, the session wrapper its state machine is (for session
 * commands and reads), and its messaging group (for deliveries from other processes and subscriptions).
 *
 * @param node      the replica
 * @param machine   its state machine, a session wrapper (local reads go through it), or null: no sessions
 * @param balancing the balancing the group advertises to clients, or null
 * @param messaging the replica's messaging group, or null: no deliveries, no subscriptions
 */
public record ServedGroup(RaftNode node, SessionWrapper machine, GroupBalancing balancing, MessagingGroup messaging) {
}
