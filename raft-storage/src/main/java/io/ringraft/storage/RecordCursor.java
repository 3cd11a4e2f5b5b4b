package io.ringraft.storage;

import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Walks the records of a segment file from a start offset up to a limit, reading the file in chunks,
 * and checks each record's frame: a sane length, a known kind, zero reserved bytes and its CRC.
 * It does not judge what a valid record says (its index, its term): the callers do.
 *
 * <p>One cursor per use and thread; it owns its buffer. Blocks on file reads.
 */
final class RecordCursor {

    /** What {@link #next()} found at {@link #position()}. */
    enum Status {
        /** A whole record whose frame and CRC check out; its fields are available. */
        RECORD,
        /** The position is the limit: nothing more to read. */
        END,
        /** Fewer bytes than the record needs are left before the limit (a cut-short record). */
        SHORT,
        /** The bytes there are not a valid record: bad length, kind, reserved bytes or CRC. */
        DAMAGED
    }

    private static final int CHUNK_BYTES = 64 * 1024;

    private final FileHandle file;
    private final long limit;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
    /** File offset of {@code buf[0]}; {@code buf[0, bufLength)} holds file bytes. */
    private long bufStart;
    private int bufLength;
    private long position;

    // The record at position, valid after next() returned RECORD.
    private int at;
    private int payloadLength;

    /**
     * @param file  the segment
     * @param start offset of the first record to read
     * @param limit offset where records end (nothing at or beyond it is read)
     */
    RecordCursor(FileHandle file, long start, long limit) {
        this.file = file;
        this.position = start;
        this.limit = limit;
    }

    /** Offset of the record {@link #next()} looks at. */
    long position() {
        return position;
    }

    /** Moves to {@code offset}, which must be the start of a record. */
    void seek(long offset) {
        position = offset;
    }

    /** Checks the record at {@link #position()}; does not move. */
    Status next() throws IOException {
        if (position >= limit) {
            return Status.END;
        }
        if (!ensure(RecordFormat.HEADER_BYTES)) {
            return Status.SHORT;
        }
        int base = (int) (position - bufStart);
        int length = buf.getInt(base + RecordFormat.OFFSET_LENGTH);
        byte kind = buf.get(base + RecordFormat.OFFSET_KIND);
        if (length < 0 || length > RecordFormat.MAX_PAYLOAD
                || !(RecordFormat.isEntryKind(kind) || kind == RecordFormat.KIND_SEAL)
                || !RecordFormat.reservedBytesZero(buf, base)) {
            return Status.DAMAGED;
        }
        if (position + RecordFormat.HEADER_BYTES + length > limit) {
            return Status.SHORT;
        }
        if (!ensure(RecordFormat.HEADER_BYTES + length)) {
            return Status.SHORT;
        }
        base = (int) (position - bufStart);
        if (buf.getInt(base + RecordFormat.OFFSET_CRC) != RecordFormat.crcOf(buf, base, length, crc)) {
            return Status.DAMAGED;
        }
        at = base;
        payloadLength = length;
        return Status.RECORD;
    }

    /** Moves past the record {@link #next()} returned. */
    void advance() {
        position += RecordFormat.HEADER_BYTES + payloadLength;
    }

    /** Offset just after the current record. */
    long recordEnd() {
        return position + RecordFormat.HEADER_BYTES + payloadLength;
    }

    long index() {
        return buf.getLong(at + RecordFormat.OFFSET_INDEX);
    }

    long term() {
        return buf.getLong(at + RecordFormat.OFFSET_TERM);
    }

    /** The stable offset stored in the record (see {@link RecordFormat}). */
    int stable() {
        return buf.getInt(at + RecordFormat.OFFSET_STABLE);
    }

    byte kind() {
        return buf.get(at + RecordFormat.OFFSET_KIND);
    }

    int payloadLength() {
        return payloadLength;
    }

    /** A copy of the current record's payload. */
    byte[] payload() {
        byte[] payload = new byte[payloadLength];
        buf.get(at + RecordFormat.HEADER_BYTES, payload);
        return payload;
    }

    /** The buffer holding the current record, which starts at {@link #recordOffsetInBuffer()}. */
    ByteBuffer buffer() {
        return buf;
    }

    int recordOffsetInBuffer() {
        return at;
    }

    /** Makes {@code n} bytes from {@link #position} available in the buffer; false if the file has fewer. */
    private boolean ensure(int n) throws IOException {
        if (position >= bufStart && position + n <= bufStart + bufLength) {
            return true;
        }
        long available = limit - position;
        if (available < n) {
            return false;
        }
        if (buf.capacity() < n) {
            buf = ByteBuffer.allocate(Math.max(n, CHUNK_BYTES));
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), available));
        int read = file.read(buf, position);
        bufStart = position;
        bufLength = read;
        buf.clear();
        return read >= n;
    }
}
