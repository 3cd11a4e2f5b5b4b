package io.ringraft.storage;

import io.ringraft.spi.SnapshotInfo;
import java.util.Objects;

/**
 * What a snapshot's metadata file holds: the {@link SnapshotInfo} callers see, plus the CRC32C of
 * the data, which only the store uses ({@link FileSnapshotStore#open(SnapshotInfo)} checks it at the
 * end of the stream). Immutable; safe to share across threads.
 */
final class SnapshotMeta {

    private final SnapshotInfo info;
    private final int dataCrc;

    SnapshotMeta(SnapshotInfo info, int dataCrc) {
        this.info = Objects.requireNonNull(info, "info");
        this.dataCrc = dataCrc;
    }

    /** What callers see of the snapshot. */
    SnapshotInfo info() {
        return info;
    }

    /** CRC32C of the snapshot's data. */
    int dataCrc() {
        return dataCrc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta other && info.equals(other.info) && dataCrc == other.dataCrc;
    }

    @Override
    public int hashCode() {
        return Objects.hash(info, dataCrc);
    }

    @Override
    public String toString() {
        return "SnapshotMeta[" + info + " crc=0x" + Integer.toHexString(dataCrc) + "]";
    }
}
