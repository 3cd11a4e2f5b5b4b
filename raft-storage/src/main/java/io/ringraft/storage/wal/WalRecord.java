package io.ringraft.storage.wal;

import io.ringraft.api.EntryKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The frame of one record in a WAL file. Every record names its group; entries, the per-group
 * changes (truncate, purge, reset, vote) and the seal that ends a file share the frame.
 *
 * <pre>
 * offset size field
 *      0    4 payload length  n >= 0
 *      4    4 CRC32C          of bytes [0, 4) and [8, 40 + n): everything but itself
 *      8    8 group id        (0 in a seal)
 *     16    8 index           entry: its index; truncate: first index removed; purge, reset: the new
 *                             base index; vote: the candidate voted for; seal: the file's seq
 *     24    8 term            entry: its term; purge, reset: the new base term; vote: the term
 *     32    4 stable offset   bytes of this file that were durable (forced) when the record was written
 *     36    1 kind            1 command, 2 no-op, 3 config; 0x40 | those: an entry moved forward by
 *                             space reclamation; 0x54 truncate, 0x50 purge, 0x52 reset, 0x56 vote,
 *                             0x53 seal, 0x58 delete (the group's log and vote are dropped; index
 *                             and term 0; format version 2 on)
 *     37    3 zero            reserved
 *     40    n payload         entries only
 * </pre>
 *
 * Big-endian. Stateless; the methods work on buffers the caller owns.
 */
final class WalRecord {

    static final int HEADER_BYTES = 40;
    static final int OFFSET_LENGTH = 0;
    static final int OFFSET_CRC = 4;
    static final int OFFSET_GROUP = 8;
    static final int OFFSET_INDEX = 16;
    static final int OFFSET_TERM = 24;
    static final int OFFSET_STABLE = 32;
    static final int OFFSET_KIND = 36;

    /** Added to an entry's kind code in the copy that space reclamation writes further on. */
    static final byte MOVED = 0x40;
    static final byte KIND_TRUNCATE = 0x54;
    static final byte KIND_PURGE = 0x50;
    static final byte KIND_RESET = 0x52;
    static final byte KIND_VOTE = 0x56;
    static final byte KIND_SEAL = 0x53;
    /** The group's data is deleted: it is empty, with no vote (files of format version 2 on). */
    static final byte KIND_DELETE = 0x58;

    /** Largest payload length a frame may claim (larger lengths are damage). */
    static final int MAX_PAYLOAD = 1 << 30;

    private WalRecord() {
    }

    /** True for a kind this version writes. */
    static boolean isKnownKind(byte kind) {
        return isEntry(kind) || kind == KIND_TRUNCATE || kind == KIND_PURGE || kind == KIND_RESET
                || kind == KIND_VOTE || kind == KIND_SEAL || kind == KIND_DELETE;
    }

    /** True for an entry, original or moved. */
    static boolean isEntry(byte kind) {
        return EntryKind.isKnown((byte) (kind & ~MOVED)) && (kind & ~MOVED & 0xff) < MOVED;
    }

    /** True for an entry copy written by space reclamation. */
    static boolean isMoved(byte kind) {
        return isEntry(kind) && (kind & MOVED) != 0;
    }

    /** The entry kind of an entry record (original or moved). */
    static EntryKind entryKind(byte kind) {
        return EntryKind.fromCode((byte) (kind & ~MOVED));
    }

    /** Fills in the header of the record at {@code at}, whose payload is already in place, CRC included. */
    static void writeHeader(ByteBuffer buf, int at, int payloadLength, long group, long index, long term,
            int stable, byte kind, CRC32C crc) {
        buf.putInt(at + OFFSET_LENGTH, payloadLength);
        buf.putLong(at + OFFSET_GROUP, group);
        buf.putLong(at + OFFSET_INDEX, index);
        buf.putLong(at + OFFSET_TERM, term);
        buf.putInt(at + OFFSET_STABLE, stable);
        buf.put(at + OFFSET_KIND, kind);
        buf.put(at + OFFSET_KIND + 1, (byte) 0);
        buf.put(at + OFFSET_KIND + 2, (byte) 0);
        buf.put(at + OFFSET_KIND + 3, (byte) 0);
        buf.putInt(at + OFFSET_CRC, crcOf(buf, at, payloadLength, crc));
    }

    /** Writes big-endian longs and ints into a byte array. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The same as {@link #writeHeader}, for the writer's hot path: the header is built in
     * {@code scratch} (at least {@link #HEADER_BYTES}) and put into {@code buf} with one copy, and the
     * CRC reads the payload through {@code view} (a duplicate of {@code buf} whose position and limit
     * this changes), so that {@code buf}'s own position and limit are not touched.
     */
    static void frame(ByteBuffer buf, ByteBuffer view, byte[] scratch, int at, int payloadLength, long group,
            long index, long term, int stable, byte kind, CRC32C crc) {
        INTS.set(scratch, OFFSET_LENGTH, payloadLength);
        LONGS.set(scratch, OFFSET_GROUP, group);
        LONGS.set(scratch, OFFSET_INDEX, index);
        LONGS.set(scratch, OFFSET_TERM, term);
        INTS.set(scratch, OFFSET_STABLE, stable);
        INTS.set(scratch, OFFSET_KIND, (kind & 0xff) << 24);
        crc.reset();
        crc.update(scratch, 0, OFFSET_CRC);
        crc.update(scratch, OFFSET_GROUP, HEADER_BYTES - OFFSET_GROUP);
        if (payloadLength > 0) {
            view.limit(at + HEADER_BYTES + payloadLength).position(at + HEADER_BYTES);
            crc.update(view);
        }
        INTS.set(scratch, OFFSET_CRC, (int) crc.getValue());
        buf.put(at, scratch, 0, HEADER_BYTES);
    }

    /** The CRC of the record at {@code at} (all of it in {@code buf}); position and limit are kept. */
    static int crcOf(ByteBuffer buf, int at, int payloadLength, CRC32C crc) {
        int position = buf.position();
        int limit = buf.limit();
        try {
            crc.reset();
            buf.limit(at + OFFSET_CRC).position(at);
            crc.update(buf);
            buf.limit(at + HEADER_BYTES + payloadLength).position(at + OFFSET_GROUP);
            crc.update(buf);
            return (int) crc.getValue();
        } finally {
            buf.limit(limit).position(position);
        }
    }

    /**
     * True if the header at {@code at} could start a record: a sane length, a known kind and zero
     * reserved bytes. Says nothing about the CRC.
     */
    static boolean plausibleHeader(ByteBuffer buf, int at) {
        int length = buf.getInt(at + OFFSET_LENGTH);
        byte kind = buf.get(at + OFFSET_KIND);
        return length >= 0 && length <= MAX_PAYLOAD && isKnownKind(kind)
                && (isEntry(kind) || length == 0)
                && buf.get(at + OFFSET_KIND + 1) == 0 && buf.get(at + OFFSET_KIND + 2) == 0
                && buf.get(at + OFFSET_KIND + 3) == 0;
    }
}
