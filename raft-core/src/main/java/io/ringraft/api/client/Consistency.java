package io.ringraft.api.client;

import java.time.Duration;

/**
 * How fresh a read through {@link GroupClient#askOne} must be. Immutable.
 *
 * @param level          the level
 * @param maxLagEntries  for {@link Level#BOUNDED_STALENESS}: how many committed entries the replica may not
 *                       have applied yet
 * @param maxLagMillis   for {@link Level#BOUNDED_TIME}: how old, in milliseconds, the replica's applied
 *                       state may be against its leader's commit (see {@link Level#BOUNDED_TIME})
 */
public record Consistency(Level level, long maxLagEntries, long maxLagMillis) {

    /** The read levels. */
    public enum Level {
        /**
         * Linearizable: the replica (any, followers too) asks the leader for its commit index
         * (ReadIndex, or the leader's lease) and answers once it has applied that far.
         */
        LINEARIZABLE,
        /**
         * The replica knows a leader and its applied index is within {@code maxLagEntries} of the commit
         * index it knows (which itself trails the leader's by about one heartbeat).
         */
        BOUNDED_STALENESS,
        /**
         * The replica has applied everything its leader had committed when it sent a message (an append
         * or a heartbeat) that the replica received at most {@code maxLagMillis} ago by the replica's own
         * monotonic clock ({@code RaftNode.appliedStalenessNanos()}); a leader that serves (it committed an
         * entry of its term) and has applied its whole commit index always qualifies. No clock of another machine is compared. So the answer misses at
         * most what the leader committed in the last {@code maxLagMillis} plus that message's one-way
         * delay; against a newer leader elected elsewhere, also what that one committed before the old
         * leader stepped down (within an election timeout, by check-quorum). A replica cut off from its
         * leader for longer refuses (the client then asks another). Followers of a quiesced group hear no
         * heartbeats: they refuse once the bound passes, the leader still answers.
         */
        BOUNDED_TIME,
        /** Whatever the replica has applied, without asking anyone. */
        ANY
    }

    /** Linearizable reads. */
    public static final Consistency LINEARIZABLE = new Consistency(Level.LINEARIZABLE, 0, 0);
    /** Reads of whatever the replica applied. */
    public static final Consistency ANY = new Consistency(Level.ANY, 0, 0);

    /**
     * Checks the bounds.
     *
     * @param level         the level
     * @param maxLagEntries at least 0
     * @param maxLagMillis  at least 0
     */
    public Consistency {
        java.util.Objects.requireNonNull(level, "level");
        if (maxLagEntries < 0) {
            throw new IllegalArgumentException("maxLagEntries must be at least 0, got " + maxLagEntries);
        }
        if (maxLagMillis < 0) {
            throw new IllegalArgumentException("maxLagMillis must be at least 0, got " + maxLagMillis);
        }
    }

    /**
     * A level with a bound in entries (no bound in time).
     *
     * @param level         the level
     * @param maxLagEntries at least 0
     */
    public Consistency(Level level, long maxLagEntries) {
        this(level, maxLagEntries, 0);
    }

    /**
     * {@return reads from a replica at most {@code maxLagEntries} committed entries behind}
     *
     * @param maxLagEntries at least 0
     */
    public static Consistency boundedStaleness(long maxLagEntries) {
        return new Consistency(Level.BOUNDED_STALENESS, maxLagEntries, 0);
    }

    /**
     * {@return reads from a replica whose applied state is within {@code maxLag} of its leader's commit
     * ({@link Level#BOUNDED_TIME}: what that means exactly)}
     *
     * @param maxLag at least 0, in milliseconds (finer parts are dropped)
     */
    public static Consistency boundedStaleness(Duration maxLag) {
        if (maxLag.isNegative()) {
            throw new IllegalArgumentException("maxLag must be at least 0, got " + maxLag);
        }
        return new Consistency(Level.BOUNDED_TIME, 0, maxLag.toMillis());
    }
}
