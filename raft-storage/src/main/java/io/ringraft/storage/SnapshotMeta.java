package io.ringraft.storage;

import io.ringraft.api.LogId;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a snapshot in a {@link FileSnapshotStore} covers, read from its metadata file (written last,
 * so a snapshot with metadata is complete). Immutable; safe to share across threads.
 */
public final class SnapshotMeta {

    private final LogId last;
    private final byte[] membership;
    private final long dataBytes;
    private final int dataCrc;

    SnapshotMeta(LogId last, byte[] membership, long dataBytes, int dataCrc) {
        this.last = Objects.requireNonNull(last, "last");
        this.membership = membership.clone();
        this.dataBytes = dataBytes;
        this.dataCrc = dataCrc;
    }

    /** The last log entry the snapshot's state includes: the state machine resumes at {@code last.index() + 1}. */
    public LogId last() {
        return last;
    }

    /**
     * The cluster membership as of {@link #last()}, as opaque bytes encoded by the caller (RingRaft's
     * membership encoding arrives with membership changes). A copy.
     */
    public byte[] membership() {
        return membership.clone();
    }

    /** Size of the snapshot's data in bytes. */
    public long dataBytes() {
        return dataBytes;
    }

    /** CRC32C of the snapshot's data; {@link FileSnapshotStore#openData} checks it. */
    int dataCrc() {
        return dataCrc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta other && last.equals(other.last) && dataBytes == other.dataBytes
                && dataCrc == other.dataCrc && Arrays.equals(membership, other.membership);
    }

    @Override
    public int hashCode() {
        return Objects.hash(last, dataBytes, dataCrc, Arrays.hashCode(membership));
    }

    @Override
    public String toString() {
        return "SnapshotMeta[last=" + last + " dataBytes=" + dataBytes + " membership=" + membership.length + "B]";
    }
}
