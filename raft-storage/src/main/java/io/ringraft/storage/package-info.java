/**
 * Durable {@code LogStorage} for RingRaft. <b>Not implemented yet</b>; this package is a placeholder
 * and contains no classes.
 *
 * <p>It will hold a segmented append-only log (a CRC per record, group commit, recovery that drops
 * a torn tail, suffix truncation, prefix purge), a durable vote file and a file-based snapshot
 * store. Until then use the in-memory log storage in {@code raft-core}. The work is tracked by the
 * storage issue.
 */
package io.ringraft.storage;
