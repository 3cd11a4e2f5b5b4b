package io.ringraft.internal.engine;

import io.ringraft.spi.LogEntries;

/**
 * What the node's log buffer can send and take now: an input the engine consults while deciding
 * how many entries go into an AppendEntries (as a leader) and how many of a leader's entries it
 * accepts (as a follower). Implemented by the runtime over its entry ring and by test harnesses.
 *
 * <p>Called on the engine's thread, during an input call; must not call back into the engine. The
 * answers describe the buffer as it will be once the effects the engine produced earlier in the same
 * call are carried out (a truncation before an append frees what it removes).
 */
public interface LogRoom {

    /**
     * How many entries from {@code fromIndex} go into one AppendEntries: between 1 and
     * {@code maxCount}. An implementation may return fewer than {@code maxCount} to keep a message
     * within a byte budget. The engine only asks for indexes its log holds.
     */
    int sendable(long fromIndex, int maxCount);

    /**
     * How many of {@code entries}, from {@code fromOffset} on, this node can take now if its log were
     * first truncated at their first index: between 0 and {@code entries.count() - fromOffset}. The
     * engine appends only that many and acknowledges only what it appended; the leader sends the rest
     * later.
     */
    int acceptable(LogEntries entries, int fromOffset);
}
