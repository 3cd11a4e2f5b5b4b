package io.ringraft.messaging;

/**
 * A subscription asked for entries this replica has purged from its log (compacted into a snapshot). The
 * subscriber catches up from the state instead (a snapshot, or a read of the current state) and then
 * subscribes again from {@link #purgedIndex()} {@code + 1} or later.
 */
public final class HistoryPurgedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** The index asked for. */
    private final long requestedIndex;
    /** The last index purged from the replica's log. */
    private final long purgedIndex;
    /** The last index its newest snapshot covers. */
    private final long snapshotIndex;

    /**
     * Created by {@link KeyedSubscription#poll}.
     *
     * @param groupId        the group
     * @param requestedIndex the index asked for
     * @param purgedIndex    the last index purged on this replica
     * @param snapshotIndex  the last index covered by its newest snapshot
     */
    public HistoryPurgedException(long groupId, long requestedIndex, long purgedIndex, long snapshotIndex) {
        super("group " + groupId + ": entry " + requestedIndex + " was purged from this replica's log (purged up to "
                + purgedIndex + ", newest snapshot up to " + snapshotIndex + "); catch up from the snapshot and"
                + " subscribe again from " + (purgedIndex + 1) + " or later");
        this.requestedIndex = requestedIndex;
        this.purgedIndex = purgedIndex;
        this.snapshotIndex = snapshotIndex;
    }

    /**
     * The index asked for.
     *
     * @return the index
     */
    public long requestedIndex() {
        return requestedIndex;
    }

    /**
     * The last index purged from the replica's log: the log starts after it.
     *
     * @return the purge point
     */
    public long purgedIndex() {
        return purgedIndex;
    }

    /**
     * The last index the replica's newest snapshot covers.
     *
     * @return the snapshot's index
     */
    public long snapshotIndex() {
        return snapshotIndex;
    }
}
