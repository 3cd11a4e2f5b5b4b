package io.ringraft.examples.kv;

import io.ringraft.api.HostStatus;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What one RESP server talks to: for each Raft group {@code 1..count()} this process's member of it
 * ({@link #node}: reads, status, snapshots) and the {@link WriteRouter} that takes writes to the group's
 * leader ({@link #router}). With one group ({@link #single}) it is the node of a plain KV node; with
 * more, the groups of a {@link RaftHost} ({@link KvHost}), whose {@link #host()} status {@code INFO}
 * shows. Immutable; the nodes and routers are thread-safe.
 */
final class GroupRoutes {

    private final List<RaftNode> nodes;
    private final List<WriteRouter> routers;
    /** Null for a single plain node. */
    private final RaftHost host;
    /** Each group's messaging side (outbox), or empty: a single plain node, or groups without one. */
    private final List<io.ringraft.messaging.MessagingGroup> messaging;

    private GroupRoutes(List<RaftNode> nodes, List<WriteRouter> routers, RaftHost host,
                        List<io.ringraft.messaging.MessagingGroup> messaging) {
        if (nodes.isEmpty() || nodes.size() != routers.size()) {
            throw new IllegalArgumentException("one router per group, at least one group: " + nodes.size()
                    + " nodes, " + routers.size() + " routers");
        }
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
        this.routers = List.copyOf(routers);
        this.host = host;
        this.messaging = List.copyOf(messaging);
    }

    /**
     * One group: a plain node and its router (the KV store without {@code --groups}). {@code self} may be
     * null for a server that only sends commands through the router (a test's).
     */
    static GroupRoutes single(RaftNode self, WriteRouter router) {
        return new GroupRoutes(Collections.singletonList(self), List.of(Objects.requireNonNull(router, "router")),
                null, List.of());
    }

    /**
     * The groups of {@code host}: {@code nodes.get(g - 1)} is the host's member of group {@code g} and
     * {@code routers.get(g - 1)} its router.
     */
    static GroupRoutes hosted(RaftHost host, List<RaftNode> nodes, List<WriteRouter> routers) {
        return new GroupRoutes(nodes, routers, Objects.requireNonNull(host, "host"), List.of());
    }

    /** As {@link #hosted(RaftHost, List, List)}, with each group's messaging side ({@code XFER}, outbox status). */
    static GroupRoutes hosted(RaftHost host, List<RaftNode> nodes, List<WriteRouter> routers,
                              List<io.ringraft.messaging.MessagingGroup> messaging) {
        if (messaging.size() != nodes.size()) {
            throw new IllegalArgumentException(messaging.size() + " messaging groups for " + nodes.size() + " groups");
        }
        return new GroupRoutes(nodes, routers, Objects.requireNonNull(host, "host"), messaging);
    }

    /** Whether the groups are messaging groups ({@code XFER} works, {@code INFO} shows outboxes). */
    boolean messaging() {
        return !messaging.isEmpty();
    }

    /** Group {@code group}'s outbox status here; only when {@link #messaging()}. */
    io.ringraft.messaging.OutboxStatus outbox(int group) {
        return messaging.get(group - 1).status();
    }

    /** The number of groups; keys map to them with {@link KeyGroups#groupOf}. */
    int count() {
        return nodes.size();
    }

    /** This process's member of group {@code group} (1-based). */
    RaftNode node(int group) {
        return nodes.get(group - 1);
    }

    /** The router of group {@code group} (1-based). */
    WriteRouter router(int group) {
        return routers.get(group - 1);
    }

    /** The group of {@code key}. */
    int groupOf(byte[] key) {
        return KeyGroups.groupOf(key, nodes.size());
    }

    /** True if the groups live in a {@link RaftHost} (the command line's {@code --groups} above 1). */
    boolean hosted() {
        return host != null;
    }

    /** The host's status; only when {@link #hosted()}. */
    HostStatus host() {
        if (host == null) {
            throw new IllegalStateException("a single node has no host");
        }
        return host.status();
    }
}
