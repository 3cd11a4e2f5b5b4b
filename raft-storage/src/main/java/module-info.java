/**
 * RingRaft durable storage: {@link io.ringraft.storage.SegmentedLogStorage} (a
 * {@code io.ringraft.spi.LogStorage} in segment files, with its vote and log base) and
 * {@link io.ringraft.storage.FileSnapshotStore} (a {@code io.ringraft.spi.SnapshotStore}), and
 * {@link io.ringraft.storage.wal.SharedLog}, one write-ahead log for all the groups of a host. Only
 * {@code io.ringraft.storage} and {@code io.ringraft.storage.wal} are exported;
 * {@code io.ringraft.storage.internal} is shared implementation.
 */
module io.ringraft.storage {
    requires transitive io.ringraft.core;
    requires org.slf4j;

    exports io.ringraft.storage;
    exports io.ringraft.storage.wal;
}
