package io.ringraft.examples.kv;

import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link WriteRouter} of a node whose peers live in other processes ({@link KvNode}): writes go
 * through {@link RaftNode#forward}, so on the leader they are proposed there and on a follower they
 * travel to the leader over the Raft transport; the future completes with the result once this node
 * applied the entry, so the connection's next read here sees the write. {@code forward}'s failures
 * keep their meaning ({@code NotLeaderException}, {@code RejectedException}: certainly no effect,
 * {@code -TRYAGAIN}; {@code IndeterminateException}: maybe, {@code -UNCERTAIN}).
 *
 * <p>A leadership transfer runs only on the leader: on a follower it fails at once with a
 * {@link RejectedException} naming the leader and its Raft address ({@code -ERR ...}; send
 * {@code RAFT.TRANSFER} to the leader's Redis port), or with {@link NotLeaderException} when no
 * leader is known ({@code -TRYAGAIN}).
 */
public final class ForwardingRouter implements WriteRouter {

    private final RaftNode self;
    private final Map<Long, String> raftAddresses;

    /**
     * @param self          the node whose server uses this router
     * @param raftAddresses the peers' Raft addresses by node id (only named in error messages)
     */
    public ForwardingRouter(RaftNode self, Map<Long, String> raftAddresses) {
        this.self = self;
        this.raftAddresses = Map.copyOf(raftAddresses);
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command) {
        return self.forward(command);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long targetNodeId) {
        RaftStatus status = self.status();
        if (status.isLeader()) {
            return self.transferLeadership(targetNodeId);
        }
        long leader = status.leaderId();
        if (leader == 0) {
            return CompletableFuture.failedFuture(new NotLeaderException(self.nodeId(), 0));
        }
        String address = raftAddresses.get(leader);
        return CompletableFuture.failedFuture(new RejectedException("node " + self.nodeId()
                + " is not the leader; send RAFT.TRANSFER to the leader, node " + leader
                + (address == null ? "" : " (raft " + address + ")")));
    }
}
