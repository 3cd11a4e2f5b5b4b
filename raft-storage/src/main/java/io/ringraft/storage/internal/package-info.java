/**
 * Implementation shared by the storages of {@code raft-storage} (the segmented log in
 * {@code io.ringraft.storage} and the shared write-ahead log in {@code io.ringraft.storage.wal}): the
 * file layer ({@link io.ringraft.storage.internal.FileIo}, through which tests inject faults), the
 * common file header, atomic file replacement, term runs and the storage identity. Not exported by
 * the module: public only so that the two storage packages can share it.
 */
package io.ringraft.storage.internal;
