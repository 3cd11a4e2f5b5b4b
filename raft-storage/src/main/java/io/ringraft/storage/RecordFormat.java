package io.ringraft.storage;

import io.ringraft.api.EntryKind;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame of one record in a segment file. A record is a log entry or a seal ({@link Seal}).
 *
 * <pre>
 * offset size field
 *      0    4 payload length  n >= 0
 *      4    4 CRC32C          of bytes [0, 4) and [8, 32 + n): everything but itself
 *      8    8 index           the entry's log index (a seal: the segment's last live index)
 *     16    8 term            the entry's term (a seal: the term of that index, or 0)
 *     24    4 stable offset   how many bytes of this segment were durable (forced) when this record
 *                             was written; recovery uses it to tell a torn tail from corruption
 *     28    1 kind            1 command, 2 no-op, 3 config ({@link EntryKind#code()}), 0x53 seal
 *     29    3 zero            reserved
 *     32    n payload
 * </pre>
 *
 * Big-endian. Stateless; the methods work on buffers the caller owns.
 */
final class RecordFormat {

    static final int HEADER_BYTES = 32;
    static final int OFFSET_LENGTH = 0;
    static final int OFFSET_CRC = 4;
    static final int OFFSET_INDEX = 8;
    static final int OFFSET_TERM = 16;
    static final int OFFSET_STABLE = 24;
    static final int OFFSET_KIND = 28;
    /** Kind code of a seal record. */
    static final byte KIND_SEAL = 0x53;
    /** Largest payload a record may carry (larger lengths are treated as damage). */
    static final int MAX_PAYLOAD = 1 << 30;

    private RecordFormat() {
    }

    /** True for the kind codes of log entries. */
    static boolean isEntryKind(byte kind) {
        return EntryKind.isKnown(kind);
    }

    /**
     * Fills in the header of the record at {@code at}, whose {@code payloadLength} payload bytes are
     * already in place after it, including its CRC.
     */
    static void writeHeader(ByteBuffer buf, int at, int payloadLength, long index, long term, int stable,
            byte kind, CRC32C crc) {
        buf.putInt(at + OFFSET_LENGTH, payloadLength);
        buf.putLong(at + OFFSET_INDEX, index);
        buf.putLong(at + OFFSET_TERM, term);
        buf.putInt(at + OFFSET_STABLE, stable);
        buf.put(at + OFFSET_KIND, kind);
        buf.put(at + OFFSET_KIND + 1, (byte) 0);
        buf.put(at + OFFSET_KIND + 2, (byte) 0);
        buf.put(at + OFFSET_KIND + 3, (byte) 0);
        buf.putInt(at + OFFSET_CRC, crcOf(buf, at, payloadLength, crc));
    }

    /**
     * The CRC of the record at {@code at} with {@code payloadLength} payload bytes (all of it must be
     * in {@code buf}). Leaves {@code buf}'s position and limit as they were.
     */
    static int crcOf(ByteBuffer buf, int at, int payloadLength, CRC32C crc) {
        int position = buf.position();
        int limit = buf.limit();
        try {
            crc.reset();
            buf.limit(at + OFFSET_CRC).position(at);
            crc.update(buf);
            buf.limit(at + HEADER_BYTES + payloadLength).position(at + OFFSET_INDEX);
            crc.update(buf);
            return (int) crc.getValue();
        } finally {
            buf.limit(limit).position(position);
        }
    }

    /** True if the three reserved bytes after the kind are zero. */
    static boolean reservedBytesZero(ByteBuffer buf, int at) {
        return buf.get(at + OFFSET_KIND + 1) == 0 && buf.get(at + OFFSET_KIND + 2) == 0
                && buf.get(at + OFFSET_KIND + 3) == 0;
    }
}
