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
 * @param turns         group turns its workers ran since it started (a turn: up to two duty cycles of each of
 *                      a group's woken CPU tasks; a scheduling cost, for benchmarks)
 * @param idleTurns     of those, turns in which none of the group's tasks found work (wasted wake-ups)
 * @param ioCycles      its IO threads' cycles that wrote or flushed at least one group (with a shared log, at
 *                      most one {@code fdatasync} each)
 * @param ioGroupWrites the groups' log writer cycles run in those IO cycles (divided by {@code ioCycles}: how
 *                      many groups share a flush)
 * @param taskRuns      duty cycles of the groups' CPU tasks (core, applier, senders) run in those turns: a turn
 *                      runs only the tasks woken since its previous pass and those still busy (divided by
 *                      {@code turns}: what a turn costs)
 */
public record HostStatus(long nodeId, int groups, int leaders, int workers, int ioThreads, long reservedBytes,
                         long budgetBytes, long turns, long idleTurns, long ioCycles, long ioGroupWrites,
                         long taskRuns) {
}
