package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.Replica;

/**
 * A replica as a balancer sees it for one group: the client's state of the node with the weight the
 * group advertised for it. Made per choice on the caller's thread; the values are a moment's.
 *
 * @param state  the client's state of the node
 * @param weight the node's weight in the group
 */
record WeightedReplica(ReplicaState state, int weight) implements Replica {

    @Override
    public long nodeId() {
        return state.nodeId();
    }

    @Override
    public String zone() {
        return state.zone();
    }

    @Override
    public int outstanding() {
        return state.outstanding();
    }

    @Override
    public String toString() {
        return "replica " + state.nodeId() + " (weight " + weight + ")";
    }
}
