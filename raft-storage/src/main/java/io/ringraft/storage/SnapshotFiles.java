package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and metadata encoding of snapshot files: {@code snapshot-<index>-<term>.data} holds the
 * state, {@code snapshot-<index>-<term>.meta} describes it (both numbers zero-padded to 20 digits).
 *
 * <p>Metadata layout: a {@link FileHeader} block (magic {@code "RRSN"}) with {@code long lastIndex},
 * {@code long lastTerm}, {@code long dataBytes}, {@code int dataCrc} (CRC32C of the data),
 * {@code int membershipLength} and the membership bytes.
 *
 * <p>A snapshot being received from a leader is written to {@code received.data}; {@code received.meta}
 * (magic {@code "RRSR"}, written atomically at each checkpoint) records it: the same fields, where
 * {@code dataBytes} and {@code dataCrc} describe the durable prefix, then {@code long leaderId} and
 * {@code long leaderTerm}. Stateless.
 */
final class SnapshotFiles {

    static final String DATA_SUFFIX = ".data";
    static final String META_SUFFIX = ".meta";
    /** The data of the snapshot being received from a leader (at most one). */
    static final String RECEIVED_DATA = "received.data";
    /** What of {@link #RECEIVED_DATA} is durable, and where it comes from. */
    static final String RECEIVED_META = "received.meta";

    private static final int RECEIVED_MAGIC = 0x52525352; // "RRSR"

    private static final int MAGIC = 0x5252534E; // "RRSN"
    private static final int FIXED_BYTES = FileHeader.PREFIX_BYTES + 8 + 8 + 8 + 4 + 4 + 4;
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.(data|meta)");

    private SnapshotFiles() {
    }

    /** The common stem of a snapshot's two files. */
    static String stem(LogId last) {
        return String.format("snapshot-%020d-%020d", last.index(), last.term());
    }

    /** The snapshot a file name belongs to, or null if it is no snapshot file. */
    static LogId parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return new LogId(Long.parseLong(m.group(2)), Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static ByteBuffer encodeMeta(StorageIdentity identity, SnapshotMeta meta) {
        return encode(identity, MAGIC, meta, 0, 0, 0);
    }

    /** The received snapshot's checkpoint: its first {@code durableBytes} bytes have CRC32C {@code crc}. */
    static ByteBuffer encodeReceived(StorageIdentity identity, io.ringraft.spi.PartialSnapshot partial, int crc) {
        SnapshotMeta durable = new SnapshotMeta(new SnapshotInfo(partial.last(), partial.membership(),
                partial.durableBytes()), crc);
        return encode(identity, RECEIVED_MAGIC, durable, 16, partial.leaderId(), partial.leaderTerm());
    }

    /** A received snapshot's checkpoint and the CRC32C of its durable prefix. */
    record Received(io.ringraft.spi.PartialSnapshot partial, int crc) {
    }

    static Received decodeReceived(ByteBuffer block, Path file, StorageIdentity identity) throws IOException {
        SnapshotMeta durable = decode(block, file, identity, RECEIVED_MAGIC, 16, "received snapshot checkpoint");
        int leaderAt = block.limit() - 4 - 16;
        SnapshotInfo info = durable.info();
        return new Received(new io.ringraft.spi.PartialSnapshot(info.last(), info.membership(), block.getLong(leaderAt),
                block.getLong(leaderAt + 8), info.sizeBytes()), durable.dataCrc());
    }

    static SnapshotMeta decodeMeta(ByteBuffer block, Path file, StorageIdentity identity) throws IOException {
        return decode(block, file, identity, MAGIC, 0, "snapshot metadata file");
    }

    /** The metadata block, with {@code extra} bytes (0 or two longs, {@code a} and {@code b}) after the membership. */
    private static ByteBuffer encode(StorageIdentity identity, int magic, SnapshotMeta meta, int extra, long a, long b) {
        SnapshotInfo info = meta.info();
        byte[] membership = info.membership();
        int length = FIXED_BYTES + membership.length + extra;
        ByteBuffer block = ByteBuffer.allocate(length);
        FileHeader.writePrefix(block, magic, length, identity);
        int p = FileHeader.PREFIX_BYTES;
        block.putLong(p, info.last().index());
        block.putLong(p + 8, info.last().term());
        block.putLong(p + 16, info.sizeBytes());
        block.putInt(p + 24, meta.dataCrc());
        block.putInt(p + 28, membership.length);
        block.put(p + 32, membership);
        if (extra > 0) {
            block.putLong(p + 32 + membership.length, a);
            block.putLong(p + 40 + membership.length, b);
        }
        FileHeader.writeCrc(block, length);
        return block;
    }

    private static SnapshotMeta decode(ByteBuffer block, Path file, StorageIdentity identity, int magic, int extra,
                                       String kind) throws IOException {
        int length = FileHeader.verify(block, block.limit(), magic, FIXED_BYTES + extra, kind, file, identity);
        int p = FileHeader.PREFIX_BYTES;
        long index = block.getLong(p);
        long term = block.getLong(p + 8);
        long dataBytes = block.getLong(p + 16);
        int dataCrc = block.getInt(p + 24);
        int membershipLength = block.getInt(p + 28);
        if (index < 0 || term < 0 || dataBytes < 0 || membershipLength != length - FIXED_BYTES - extra) {
            throw new CorruptStorageException(file, p, "holds impossible values: last " + index + "/" + term
                    + ", " + dataBytes + " data bytes, membership of " + membershipLength + " bytes");
        }
        byte[] membership = new byte[membershipLength];
        block.get(p + 32, membership);
        return new SnapshotMeta(new SnapshotInfo(new LogId(term, index), membership, dataBytes), dataCrc);
    }
}
