package io.ringraft.storage.wal;

/**
 * A log sequence number: a position in the WAL's one stream, {@code (file seq << 32) | offset in
 * the file}. Positions compare as numbers in write order; a file holds fewer than 2^32 bytes and
 * seqs stay below 2^31. Stateless.
 */
final class Lsn {

    private Lsn() {
    }

    static long of(long seq, long offset) {
        return (seq << 32) | offset;
    }

    static long seq(long lsn) {
        return lsn >>> 32;
    }

    static long offset(long lsn) {
        return lsn & 0xffffffffL;
    }

    static String toString(long lsn) {
        return seq(lsn) + ":" + offset(lsn);
    }
}
