package io.ringraft.spi;

import io.ringraft.api.LogId;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a committed snapshot in a {@link SnapshotStore} covers. Immutable; safe to share between
 * threads.
 */
public final class SnapshotInfo {

    private final LogId last;
    private final byte[] membership;
    private final long sizeBytes;

    /**
     * The description of one committed snapshot.
     *
     * @param last       the last log entry whose effect the snapshot includes
     * @param membership the cluster membership as of {@code last}, encoded by RingRaft (opaque to
     *                   stores: they keep it byte for byte)
     * @param sizeBytes  the size of the snapshot's data
     */
    public SnapshotInfo(LogId last, byte[] membership, long sizeBytes) {
        this.last = Objects.requireNonNull(last, "last");
        this.membership = Objects.requireNonNull(membership, "membership").clone();
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative, got " + sizeBytes);
        }
        this.sizeBytes = sizeBytes;
    }

    /** {@return the last log entry the snapshot's state includes: applying resumes at {@code last.index() + 1}} */
    public LogId last() {
        return last;
    }

    /** {@return the membership as of {@link #last()}, as stored (a copy)} */
    public byte[] membership() {
        return membership.clone();
    }

    /** {@return the size of the snapshot's data in bytes} */
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotInfo other && last.equals(other.last) && sizeBytes == other.sizeBytes
                && Arrays.equals(membership, other.membership);
    }

    @Override
    public int hashCode() {
        return Objects.hash(last, sizeBytes, Arrays.hashCode(membership));
    }

    @Override
    public String toString() {
        return "SnapshotInfo[last=" + last + " size=" + sizeBytes + "B membership=" + membership.length + "B]";
    }
}
