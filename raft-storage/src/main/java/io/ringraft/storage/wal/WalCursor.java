package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Walks the records of one WAL file from an offset, reading it in chunks, and checks each record's
 * frame (sane length, known kind, zero reserved bytes) and CRC. It does not judge what a record says:
 * recovery does. One cursor per use and thread; blocks on file reads.
 */
final class WalCursor {

    /** What {@link #next()} found at {@link #position()}. */
    enum Status {
        /** A whole record whose frame and CRC check out. */
        RECORD,
        /** The end of the file. */
        END,
        /** Not a valid record (bad frame or CRC), or cut short by the end of the file. */
        DAMAGED
    }

    private static final int CHUNK_BYTES = 1 << 20;

    private final FileHandle file;
    private final long limit;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
    private long bufStart;
    private int bufLength;
    private long position;
    private int at;
    private int payloadLength;

    WalCursor(FileHandle file, long start, long limit) {
        this.file = file;
        this.position = start;
        this.limit = limit;
    }

    long position() {
        return position;
    }

    /** Checks the record at {@link #position()}; does not move. */
    Status next() throws IOException {
        if (position >= limit) {
            return Status.END;
        }
        if (!ensure(WalRecord.HEADER_BYTES)) {
            return Status.DAMAGED;
        }
        int base = (int) (position - bufStart);
        if (!WalRecord.plausibleHeader(buf, base)) {
            return Status.DAMAGED;
        }
        int length = buf.getInt(base + WalRecord.OFFSET_LENGTH);
        if (!ensure(WalRecord.HEADER_BYTES + length)) {
            return Status.DAMAGED;
        }
        base = (int) (position - bufStart);
        if (buf.getInt(base + WalRecord.OFFSET_CRC) != WalRecord.crcOf(buf, base, length, crc)) {
            return Status.DAMAGED;
        }
        at = base;
        payloadLength = length;
        return Status.RECORD;
    }

    /** Moves past the record {@link #next()} returned. */
    void advance() {
        position = recordEnd();
    }

    long recordEnd() {
        return position + WalRecord.HEADER_BYTES + payloadLength;
    }

    long group() {
        return buf.getLong(at + WalRecord.OFFSET_GROUP);
    }

    long index() {
        return buf.getLong(at + WalRecord.OFFSET_INDEX);
    }

    long term() {
        return buf.getLong(at + WalRecord.OFFSET_TERM);
    }

    byte kind() {
        return buf.get(at + WalRecord.OFFSET_KIND);
    }

    private boolean ensure(int n) throws IOException {
        if (position >= bufStart && position + n <= bufStart + bufLength) {
            return true;
        }
        if (limit - position < n) {
            return false;
        }
        if (buf.capacity() < n) {
            buf = ByteBuffer.allocate(Math.max(n, CHUNK_BYTES));
        }
        buf.clear().limit((int) Math.min(buf.capacity(), limit - position));
        int read = file.read(buf, position);
        bufStart = position;
        bufLength = read;
        buf.clear();
        return read >= n;
    }
}
