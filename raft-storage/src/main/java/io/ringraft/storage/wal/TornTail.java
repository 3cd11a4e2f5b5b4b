package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Decides what the bytes after the last valid record of the newest WAL file are, where recovery's
 * scan stopped:
 *
 * <ul>
 *   <li>{@link Kind#ZEROS}: never written (preallocated). The stream continues there.</li>
 *   <li>{@link Kind#TORN}: bytes of writes a crash cut short or reordered. No valid record after the
 *       stopping point was written after that point had been forced, so none of it was durable, and
 *       no flush, vote or change covering it returned. Recovery cuts it (a seal at the stopping point)
 *       and goes on in a new file.</li>
 *   <li>Corruption: a valid record further on carries a stable offset beyond the stopping point, which
 *       proves those bytes had been forced: {@link #classify} returns the offset of that proof and the
 *       caller fails with a {@code CorruptStorageException}.</li>
 * </ul>
 *
 * Stateless; blocks on reading the rest of the file (twice at most).
 */
final class TornTail {

    enum Kind { ZEROS, TORN }

    private static final int CHUNK_BYTES = 1 << 20;

    private TornTail() {
    }

    /** The kind of the bytes {@code [stop, size)}, or null with {@code proof[0]} set if they are corruption. */
    static Kind classify(FileHandle file, long stop, long size, long[] proof) throws IOException {
        if (allZero(file, stop, size)) {
            return Kind.ZEROS;
        }
        long found = findDurableRecordAfter(file, stop, size);
        if (found >= 0) {
            proof[0] = found;
            return null;
        }
        return Kind.TORN;
    }

    static boolean allZero(FileHandle file, long from, long to) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        long position = from;
        while (position < to) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, to - position));
            int read = file.read(chunk, position);
            if (read <= 0) {
                return true;
            }
            for (int i = 0; i < read; i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            position += read;
        }
        return true;
    }

    /** The offset of a valid record after {@code stop} whose stable offset is beyond {@code stop}, or -1. */
    static long findDurableRecordAfter(FileHandle file, long stop, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES + WalRecord.HEADER_BYTES);
        CRC32C crc = new CRC32C();
        long chunkStart = stop + 1;
        while (chunkStart + WalRecord.HEADER_BYTES <= size) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - chunkStart));
            int read = file.read(chunk, chunkStart);
            int lastCandidate = read - WalRecord.HEADER_BYTES;
            for (int i = 0; i <= lastCandidate; i++) {
                long offset = chunkStart + i;
                if (WalRecord.plausibleHeader(chunk, i)) {
                    int stable = chunk.getInt(i + WalRecord.OFFSET_STABLE);
                    int length = chunk.getInt(i + WalRecord.OFFSET_LENGTH);
                    if (stable > stop && stable <= offset && length <= size - offset - WalRecord.HEADER_BYTES
                            && hasValidCrc(file, offset, length, crc)) {
                        return offset;
                    }
                }
            }
            if (lastCandidate < 0) {
                break;
            }
            chunkStart += lastCandidate + 1;
        }
        return -1;
    }

    private static boolean hasValidCrc(FileHandle file, long offset, int length, CRC32C crc) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(WalRecord.HEADER_BYTES + length);
        if (file.read(record, offset) < record.capacity()) {
            return false;
        }
        return record.getInt(WalRecord.OFFSET_CRC) == WalRecord.crcOf(record, 0, length, crc);
    }
}
