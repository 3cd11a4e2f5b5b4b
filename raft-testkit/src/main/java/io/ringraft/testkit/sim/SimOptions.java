package io.ringraft.testkit.sim;

import io.ringraft.api.RaftConfig;

/**
 * What a simulation run does: cluster size, how long the faulty phase lasts, which faults the
 * nemesis may use. Each seed also draws ("swarm testing") which of the allowed faults it enables and
 * how often, so different seeds stress different mixes.
 *
 * @param nodes         cluster size (voters 1..nodes)
 * @param chaosSteps    steps with faults and client load
 * @param healSteps     most steps allowed, after faults stop, for the cluster to converge (liveness)
 * @param clients       concurrent KV clients
 * @param keys          keys they use
 * @param partitions    the nemesis may cut links (symmetric, one-way, partial)
 * @param crashes       the nemesis may crash nodes (losing, keeping or tearing unflushed writes)
 * @param pauses        the nemesis may pause nodes (GC pause / SIGSTOP) past the election timeout
 * @param lossyNetwork  messages may be dropped, duplicated and delayed more
 * @param fsyncFailures the nemesis may fail a node's flush (the node must fail-stop)
 * @param transfers     the nemesis may ask the leader to hand leadership to a random node
 * @param config        the nodes' configuration
 * @param spareNodes    extra nodes that start outside the voter set; with any, the nemesis changes the
 *                      membership (random voters of the cluster's size, random learners)
 * @param streaming     half of the seeds (drawn per seed) run most node incarnations with the streaming
 *                      state machine ({@link StreamingAdapter}), which acknowledges late and in bursts
 */
public record SimOptions(int nodes, int chaosSteps, int healSteps, int clients, int keys, boolean partitions,
                         boolean crashes, boolean pauses, boolean lossyNetwork, boolean fsyncFailures,
                         boolean transfers, RaftConfig config, int spareNodes, boolean streaming) {

    /** Options with every node applying synchronously. */
    public SimOptions(int nodes, int chaosSteps, int healSteps, int clients, int keys, boolean partitions,
                      boolean crashes, boolean pauses, boolean lossyNetwork, boolean fsyncFailures,
                      boolean transfers, RaftConfig config, int spareNodes) {
        this(nodes, chaosSteps, healSteps, clients, keys, partitions, crashes, pauses, lossyNetwork,
                fsyncFailures, transfers, config, spareNodes, false);
    }

    /** Options without spare nodes (a fixed membership). */
    public SimOptions(int nodes, int chaosSteps, int healSteps, int clients, int keys, boolean partitions,
                      boolean crashes, boolean pauses, boolean lossyNetwork, boolean fsyncFailures,
                      boolean transfers, RaftConfig config) {
        this(nodes, chaosSteps, healSteps, clients, keys, partitions, crashes, pauses, lossyNetwork,
                fsyncFailures, transfers, config, 0);
    }

    /** The default mix: 3 nodes, every fault type, a small ring so back-pressure and wrap-around happen. */
    public static SimOptions defaults() {
        return new SimOptions(3, 6_000, 12_000, 3, 3, true, true, true, true, true, true, smallConfig(), 2, true);
    }

    /**
     * A configuration small enough that the ring, windows and queues fill up in a short run, and that
     * snapshots every 48 entries (keeping a tail of 8, sending 64-byte chunks): logs are compacted and
     * followers caught up by snapshot all the time.
     */
    public static RaftConfig smallConfig() {
        return smallBuilder().snapshotIntervalEntries(48).snapshotLogTailEntries(8).snapshotChunkBytes(64).build();
    }

    /** {@link #smallConfig()} without the snapshot policy: logs keep every entry. */
    public static RaftConfig smallConfigWithoutSnapshots() {
        return smallBuilder().snapshotIntervalEntries(0).snapshotIntervalBytes(0).build();
    }

    /** The small configuration's builder, without snapshot settings (scenarios add their own). */
    static RaftConfig.Builder smallBuilder() {
        return RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30).electionTimeoutMillis(150)
                .ringCapacityEntries(64).ringCapacityBytes(16 << 10).maxEntryBytes(512)
                .maxInflightAppends(4).maxEntriesPerAppend(8).maxBytesPerAppend(4096)
                .proposalQueueBytes(8 << 10).inboundQueueCapacity(64).maxPendingFutures(256)
.batchEntries(16).maxApplyBatchesInFlight(3)
                // a small retention for followers: logs are still compacted past lagging followers all the time
                .followerRetentionEntries(16);
    }

    public SimOptions withNodes(int n) {
        return new SimOptions(n, chaosSteps, healSteps, clients, keys, partitions, crashes, pauses, lossyNetwork,
                fsyncFailures, transfers, config, spareNodes, streaming);
    }

    public SimOptions withChaosSteps(int steps) {
        return new SimOptions(nodes, steps, healSteps, clients, keys, partitions, crashes, pauses, lossyNetwork,
                fsyncFailures, transfers, config, spareNodes, streaming);
    }

    /** These options with the streaming state machine on half of the seeds ({@code true}) or never. */
    public SimOptions withStreaming(boolean streaming) {
        return new SimOptions(nodes, chaosSteps, healSteps, clients, keys, partitions, crashes, pauses, lossyNetwork,
                fsyncFailures, transfers, config, spareNodes, streaming);
    }

    public SimOptions withFaults(boolean partitions, boolean crashes, boolean pauses, boolean lossyNetwork,
                                 boolean fsyncFailures) {
        return new SimOptions(nodes, chaosSteps, healSteps, clients, keys, partitions, crashes, pauses,
                lossyNetwork, fsyncFailures, transfers, config, spareNodes, streaming);
    }
}
