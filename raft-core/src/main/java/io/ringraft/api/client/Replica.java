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

    /**
     * {@return the replica's weight in its group (default 1; the group advertises it, {@link GroupBalancing}):
     * the built-in strategies pick it in proportion, and a replica of weight 0 only when all weigh 0}
     */
    default int weight() {
        return 1;
    }
}
