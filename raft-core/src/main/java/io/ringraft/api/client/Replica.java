package io.ringraft.api.client;

/**
 * What a {@link LoadBalancer} knows of one replica of a group: implemented by the client, read on the
 * thread that makes the call. Values are a moment's.
 */
public interface Replica {

    /** {@return the replica's node id} */
    long nodeId();

    /** {@return the replica's zone as configured at the client ({@code RaftClient.Builder.zone}), or null} */
    String zone();

    /** {@return this client's requests to the replica now in flight} */
    int outstanding();

    /** {@return the replica's weight (default 1): strategies that weigh pick it proportionally more} */
    default int weight() {
        return 1;
    }
}
