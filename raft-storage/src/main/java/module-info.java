/**
 * RingRaft durable storage: {@link io.ringraft.storage.SegmentedLogStorage} (a
 * {@code io.ringraft.spi.LogStorage} in segment files, with its vote and log base) and
 * {@link io.ringraft.storage.FileSnapshotStore} (a {@code io.ringraft.spi.SnapshotStore}). Only
 * {@code io.ringraft.storage} is exported.
 */
module io.ringraft.storage {
    requires transitive io.ringraft.core;
    requires org.slf4j;

    exports io.ringraft.storage;
}
