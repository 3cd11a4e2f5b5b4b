package io.ringraft.storage.wal;

import io.ringraft.storage.CorruptStorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads single entry records at known locations and checks them: frame, CRC, group, index and term.
 * Used by reads ({@code LogStorage.read}) and by space reclamation. Any mismatch is a
 * {@link CorruptStorageException} naming the file and offset: these records were durable (or written
 * by this process) when their location was published.
 *
 * <p>One instance per use and thread (it owns a scratch buffer). Blocks on positional reads; the
 * caller holds {@link WalFiles#lock}'s read lock so that the file stays open.
 */
final class EntryReader {

    private static final int FIRST_READ = 4096;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf = ByteBuffer.allocate(FIRST_READ);

    /** The record just read: its kind byte (original or moved entry) and its payload. */
    byte kind;
    byte[] payload;

    /** Reads the entry {@code index} of {@code group} with {@code term} at {@code offset} of {@code file}. */
    void read(WalFile file, long offset, long group, long index, long term) throws IOException {
        buf.clear();
        int read = file.handle.read(buf, offset);
        if (read < WalRecord.HEADER_BYTES || !WalRecord.plausibleHeader(buf, 0)) {
            throw damaged(file, offset, group, index, "missing or damaged (bad frame)");
        }
        int length = buf.getInt(WalRecord.OFFSET_LENGTH);
        int total = WalRecord.HEADER_BYTES + length;
        if (total > read) {
            if (total > buf.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocate(total);
                bigger.put(buf.flip());
                buf = bigger;
            }
            buf.limit(total).position(read);
            int more = file.handle.read(buf, offset + read);
            if (read + more < total) {
                throw damaged(file, offset, group, index, "cut short");
            }
        }
        if (buf.getInt(WalRecord.OFFSET_CRC) != WalRecord.crcOf(buf, 0, length, crc)) {
            throw damaged(file, offset, group, index, "damaged (bad checksum)");
        }
        kind = buf.get(WalRecord.OFFSET_KIND);
        if (!WalRecord.isEntry(kind) || buf.getLong(WalRecord.OFFSET_GROUP) != group
                || buf.getLong(WalRecord.OFFSET_INDEX) != index || buf.getLong(WalRecord.OFFSET_TERM) != term) {
            throw damaged(file, offset, group, index, "not there: the record holds group "
                    + buf.getLong(WalRecord.OFFSET_GROUP) + " index " + buf.getLong(WalRecord.OFFSET_INDEX) + " term "
                    + buf.getLong(WalRecord.OFFSET_TERM) + " kind 0x" + Integer.toHexString(kind & 0xff)
                    + " (expected term " + term + ")");
        }
        payload = new byte[length];
        buf.get(WalRecord.HEADER_BYTES, payload);
    }

    private static CorruptStorageException damaged(WalFile file, long offset, long group, long index, String what) {
        return new CorruptStorageException(file.path, offset, "the record of group " + group + " entry " + index
                + " is " + what + " in a part of the log that was durable");
    }
}
