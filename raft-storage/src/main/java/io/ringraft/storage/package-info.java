/**
 * Durable storage for RingRaft: {@link io.ringraft.storage.SegmentedLogStorage}, a
 * {@code io.ringraft.spi.LogStorage} that keeps the Raft log in append-only segment files (CRC32C per
 * record, group commit, torn-tail recovery, crash-safe truncation, purge and reset) with the vote and
 * the log base in small files replaced atomically; and {@link io.ringraft.storage.FileSnapshotStore}, a
 * {@code io.ringraft.spi.SnapshotStore} that makes snapshots visible atomically, metadata last.
 *
 * <p>Errors: {@link io.ringraft.storage.CorruptStorageException} for damaged durable data,
 * {@link io.ringraft.storage.IncompatibleStorageException} for files of another cluster, group or a
 * newer format. The file format, recovery algorithm and durability guarantees are described in
 * {@code docs/storage.md}. Everything not public in this package is implementation.
 */
package io.ringraft.storage;
