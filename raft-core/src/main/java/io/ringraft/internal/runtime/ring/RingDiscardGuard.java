package io.ringraft.internal.runtime.ring;

/**
 * Keeps the core from discarding ring entries (truncating or resetting the log, then reusing their
 * slots and arena bytes) while the log writer hands those entries to storage straight out of the
 * ring. Without it a storage could write a record whose term is an old entry's and whose payload
 * is partly a new one's, and the OS may persist that even without a flush.
 *
 * <p>Two volatile fields and the Dekker pattern: the log writer publishes the highest index it is
 * about to read ({@link #hold}), then reads the core's announcement; the core announces the lowest
 * index it is about to discard ({@link #announceDiscard}), then reads the writer's hold. Volatile
 * accesses are sequentially consistent, so at least one side sees the other: the writer backs off
 * (it releases its hold and tries again once the core is done), or the core defers the input that
 * would discard (it leaves it queued). Neither ever waits for the other.
 *
 * <p>Between the announcement and {@link #discardDone}, the core may truncate or reset and write
 * new entries over the discarded ones; once done, the writer sees the truncation or reset in
 * the core's {@code LogCut} (the core publishes it before it ends the discard) and applies it to
 * storage before it reads the new entries. Entries below the announced index are never touched by
 * it, and the leader's reclaiming only ever reuses entries the writer has already written.
 *
 * <p>Threads: {@link #hold} and {@link #release} by the log writer, {@link #announceDiscard} and
 * {@link #discardDone} by the core. Nothing blocks.
 */
public final class RingDiscardGuard {

    private static final long NOT_HOLDING = -1;
    private static final long NOT_DISCARDING = Long.MAX_VALUE;

    private volatile long writerHoldsUpTo = NOT_HOLDING;
    private volatile long coreDiscardsFrom = NOT_DISCARDING;

    /**
     * The log writer is about to read ring entries up to {@code upToIndex} and hand them to storage
     * (log writer only).
     *
     * @return true if it may, until {@link #release}; false if the core is discarding entries at
     *         or below {@code upToIndex} (nothing is held then: try again later)
     */
    public boolean hold(long upToIndex) {
        writerHoldsUpTo = upToIndex;
        if (coreDiscardsFrom <= upToIndex) {
            writerHoldsUpTo = NOT_HOLDING;
            return false;
        }
        return true;
    }

    /** The log writer no longer reads ring entries (log writer only). */
    public void release() {
        writerHoldsUpTo = NOT_HOLDING;
    }

    /**
     * The core is about to discard entries from {@code fromIndex} on (core only). The announcement
     * stays until {@link #discardDone}, also when this returns false, so the writer backs off
     * meanwhile.
     *
     * @return true if it may now; false if the log writer holds entries at or above
     *         {@code fromIndex}: defer the discarding input and call this again later
     */
    public boolean announceDiscard(long fromIndex) {
        coreDiscardsFrom = fromIndex;
        return writerHoldsUpTo < fromIndex;
    }

    /**
     * The core has discarded what it announced, or no longer means to (core only).
     *
     * @return true if an announcement was withdrawn (the writer may have backed off: wake it)
     */
    public boolean discardDone() {
        if (coreDiscardsFrom == NOT_DISCARDING) {
            return false;
        }
        coreDiscardsFrom = NOT_DISCARDING;
        return true;
    }
}
