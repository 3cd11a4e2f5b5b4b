package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.LogId;

/**
 * Log changes the core asks of the log writer that are not appends: a reset (discard the whole log
 * and continue after {@code resetTo}, or null) and/or a truncation from {@code truncateFrom}
 * ({@code Long.MAX_VALUE}: none). The core sets it, the log writer takes it (both through one
 * {@code AtomicReference}) and carries it out before it writes anything newer. Immutable.
 */
public record LogCut(LogId resetTo, long truncateFrom) {

    /** Adds a truncation from {@code index}: a reset stays in force (a later truncation lies after it). */
    LogCut truncate(long index) {
        return new LogCut(resetTo, Math.min(truncateFrom, index));
    }
}
