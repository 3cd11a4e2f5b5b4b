package io.ringraft.api.client;

/**
 * How fresh a read through {@link GroupClient#askOne} must be. Immutable.
 *
 * @param level          the level
 * @param maxLagEntries  for {@link Level#BOUNDED_STALENESS}: how many committed entries the replica may not
 *                       have applied yet
 */
public record Consistency(Level level, long maxLagEntries) {

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
        /** Whatever the replica has applied, without asking anyone. */
        ANY
    }

    /** Linearizable reads. */
    public static final Consistency LINEARIZABLE = new Consistency(Level.LINEARIZABLE, 0);
    /** Reads of whatever the replica applied. */
    public static final Consistency ANY = new Consistency(Level.ANY, 0);

    /**
     * Checks the lag.
     *
     * @param level         the level
     * @param maxLagEntries at least 0
     */
    public Consistency {
        java.util.Objects.requireNonNull(level, "level");
        if (maxLagEntries < 0) {
            throw new IllegalArgumentException("maxLagEntries must be at least 0, got " + maxLagEntries);
        }
    }

    /**
     * {@return reads from a replica at most {@code maxLagEntries} committed entries behind}
     *
     * @param maxLagEntries at least 0
     */
    public static Consistency boundedStaleness(long maxLagEntries) {
        return new Consistency(Level.BOUNDED_STALENESS, maxLagEntries);
    }
}
