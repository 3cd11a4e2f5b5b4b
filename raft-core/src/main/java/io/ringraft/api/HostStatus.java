package io.ringraft.api;

/**
 * A {@link RaftHost} at one moment ({@link RaftHost#status()}): each field read atomically, not all at once.
 *
 * @param nodeId        the host's node id
 * @param groups        the groups it holds
 * @param leaders       how many of them it leads (with every host's count: how evenly leadership spreads)
 * @param workers       its worker threads
 * @param ioThreads     its IO threads
 * @param reservedBytes the memory its groups reserve ({@link RaftConfig#reservedBytes()} summed)
 * @param budgetBytes   its memory budget
 */
public record HostStatus(long nodeId, int groups, int leaders, int workers, int ioThreads, long reservedBytes,
                         long budgetBytes) {
}
