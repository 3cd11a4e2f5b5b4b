package io.ringraft.examples.kv;

import io.ringraft.api.Membership;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The {@link WriteRouter} of a node whose peers live in other processes ({@link KvNode}): writes go
 * through {@link RaftNode#forward}, so on the leader they are proposed there and on a follower they
 * travel to the leader over the Raft transport; the future completes with the result once this node
 * applied the entry, so the connection's next read here sees the write. {@code forward}'s failures
 * keep their meaning ({@code NotLeaderException}, {@code RejectedException}: certainly no effect,
 * {@code -TRYAGAIN}; {@code IndeterminateException}: maybe, {@code -UNCERTAIN}).
 *
 * <p>Admin actions (a leadership transfer, a membership change) run only on the leader: on another
 * node they fail at once with a {@link LeaderElsewhereException} naming the leader and its Raft
 * address ({@code -ERR ...}; send the command to the leader's Redis port), or with
 * {@link NotLeaderException} when no leader is known ({@code -TRYAGAIN}). A membership change may
 * add only nodes whose Raft address this node's {@code --peers} gives (the leader must reach them).
 */
public final class ForwardingRouter implements WriteRouter {

    private final RaftNode self;
    private final Map<Long, String> raftAddresses;
    /** " of group g" when the process runs several groups, else empty. */
    private final String ofGroup;

    /**
     * @param self          the node whose server uses this router
     * @param raftAddresses the peers' Raft addresses by node id (named in error messages; a membership
     *                      change may add only these nodes)
     */
    public ForwardingRouter(RaftNode self, Map<Long, String> raftAddresses) {
        this(self, raftAddresses, false);
    }

    /**
     * @param namesGroup whether error messages name {@code self}'s group (a process with several groups)
     */
    ForwardingRouter(RaftNode self, Map<Long, String> raftAddresses, boolean namesGroup) {
        this.self = self;
        this.raftAddresses = Map.copyOf(raftAddresses);
        this.ofGroup = namesGroup ? " of group " + self.groupId() : "";
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command) {
        return self.forward(command);
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command, java.time.Duration answerWait) {
        return self.forward(command, answerWait);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long targetNodeId) {
        RaftStatus status = self.status();
        return status.isLeader() ? self.transferLeadership(targetNodeId) : notHere(status, "RAFT.TRANSFER");
    }

    @Override
    public CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change) {
        RaftStatus status = self.status();
        return status.isLeader()
                ? MembershipChange.run(self, change, raftAddresses::containsKey,
                "has no Raft address in this node's --peers; list it there (on every node) to add it")
                : notHere(status, "RAFT.ADDLEARNER, RAFT.PROMOTE and RAFT.REMOVE");
    }

    /** The failure of an admin action sent to a node that does not lead. */
    private <T> CompletableFuture<T> notHere(RaftStatus status, String what) {
        long leader = status.leaderId();
        if (leader == 0 || leader == self.nodeId()) {
            return CompletableFuture.failedFuture(new NotLeaderException(self.nodeId(), 0));
        }
        String address = raftAddresses.get(leader);
        return CompletableFuture.failedFuture(new LeaderElsewhereException("node " + self.nodeId()
                + " is not the leader" + ofGroup + "; send " + what + " to the leader" + ofGroup + ", node " + leader
                + (address == null ? "" : " (raft " + address + ")"), leader));
    }
}
