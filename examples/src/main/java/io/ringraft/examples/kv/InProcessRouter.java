package io.ringraft.examples.kv;

import io.ringraft.api.Membership;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The {@link WriteRouter} of a cluster whose nodes all live in this process: it looks up the leader
 * this node knows of ({@code RaftStatus.leaderId}) among the in-process nodes and calls it directly.
 * If no leader is known, the future fails with {@link NotLeaderException}; if the leader moved or
 * stopped meanwhile, that node's own {@code NotLeaderException} or {@code NodeStoppedException}
 * surfaces. Both mean the command did not enter the log.
 *
 * <p>A membership change is computed from the leader's membership and proposed at the leader; it may
 * name only nodes of this process ({@code -ERR} otherwise: no other node could ever join).
 */
public final class InProcessRouter implements WriteRouter {

    private final RaftNode self;
    private final Map<Long, RaftNode> nodes;

    /**
     * @param self  the node whose server uses this router
     * @param nodes every node of the cluster by id (read at each call; may be a live view)
     */
    public InProcessRouter(RaftNode self, Map<Long, RaftNode> nodes) {
        this.self = self;
        this.nodes = nodes;
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command) {
        RaftNode leader = leader();
        return leader == null ? noLeader() : leader.propose(command);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long targetNodeId) {
        RaftNode leader = leader();
        return leader == null ? noLeader() : leader.transferLeadership(targetNodeId);
    }

    @Override
    public CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change) {
        RaftNode leader = leader();
        return leader == null ? noLeader()
                : MembershipChange.run(leader, change, nodes::containsKey, "is not a node of this cluster");
    }

    private RaftNode leader() {
        long leaderId = self.status().leaderId();
        return leaderId == 0 ? null : nodes.get(leaderId);
    }

    private <T> CompletableFuture<T> noLeader() {
        return CompletableFuture.failedFuture(new NotLeaderException(self.nodeId(), 0));
    }
}
