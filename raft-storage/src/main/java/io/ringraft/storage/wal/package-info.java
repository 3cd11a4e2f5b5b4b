/**
 * The shared write-ahead log: one append stream, in one directory, for every Raft group of a host
 * ({@link io.ringraft.storage.wal.SharedLog}; each group gets a {@code io.ringraft.spi.LogStorage}
 * from {@link io.ringraft.storage.wal.SharedLog#storageFor(long)}). Records tagged with their group,
 * group commit across groups, per-group truncation, purge, reset and votes as records, checkpoints of
 * the in-memory index, and space reclamation that moves lagging groups' live entries forward. The file
 * format and recovery are described in {@code docs/storage.md}. Everything but {@code SharedLog} (and
 * its builder) is implementation.
 */
package io.ringraft.storage.wal;
