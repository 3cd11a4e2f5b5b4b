package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.Replica;
import java.util.concurrent.atomic.AtomicInteger;

/** What the client tracks of one node for load balancing: its zone and its requests in flight. Thread-safe. */
final class ReplicaState implements Replica {

    private final long nodeId;
    private final String zone;
    final AtomicInteger outstanding = new AtomicInteger();

    ReplicaState(long nodeId, String zone) {
        this.nodeId = nodeId;
        this.zone = zone;
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    @Override
    public String zone() {
        return zone;
    }

    @Override
    public int outstanding() {
        return outstanding.get();
    }

    @Override
    public String toString() {
        return "replica " + nodeId;
    }
}
