package io.ringraft.internal.engine;

import io.ringraft.spi.LogEntries;

/**
 * Gives a leader's engine the entries it replicates. Implemented by the runtime over its ring (or
 * storage for entries that left the ring) and by test harnesses over an in-memory log.
 *
 * <p>Called on the engine's thread. The engine only asks for indexes its log holds; the returned
 * view goes into an AppendEntries message and must stay readable until that message is sent or
 * dropped (the engine itself reads only the terms).
 */
@FunctionalInterface
public interface EntryReader {

    /**
     * Entries from {@code fromIndex}: at most {@code count} ({@code >= 1}) and at least one; a reader
     * may return fewer to keep a message within a byte budget.
     */
    LogEntries read(long fromIndex, int count);
}
