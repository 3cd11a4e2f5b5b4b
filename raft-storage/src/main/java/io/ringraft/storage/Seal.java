package io.ringraft.storage;

import io.ringraft.storage.internal.TermRuns;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The last record of a segment that will not grow any more: it names the segment's last live index
 * and the term runs of its live entries, so that opening the storage learns both without reading the
 * segment. Written when a segment is rolled, when a truncation cuts the tail segment, and when
 * recovery cuts a torn tail. Records between the last live one and the seal (cut by a truncation) are
 * dead.
 *
 * <p>Payload: {@code int runCount}, then {@code runCount} pairs {@code (long startIndex, long term)}
 * in index order, then {@code int recordBytes} (the whole record, header included) and
 * {@code int} {@link #TRAILER_MAGIC}. The segment file ends right after a seal, so its last 8
 * bytes locate it.
 *
 * @param lastIndex the last live index ({@code firstIndex - 1} when the segment holds none)
 * @param runs      the term runs of entries {@code firstIndex .. lastIndex}; runs of entries that were
 *                  already purged when the seal was written may be missing
 */
record Seal(long lastIndex, TermRuns runs) {

    /** "SEAL": the last 4 bytes of a sealed segment. */
    static final int TRAILER_MAGIC = 0x5345414C;
    /** Bytes after the run pairs: record length and magic. */
    static final int TRAILER_BYTES = 8;

    /** Bytes of a seal record (header included) for {@code runCount} runs. */
    static int recordBytes(int runCount) {
        return RecordFormat.HEADER_BYTES + 4 + 16 * runCount + TRAILER_BYTES;
    }

    /** Bytes of this seal's record. */
    int recordBytes() {
        return recordBytes(runs.count());
    }

    /** Encodes this seal as a record at {@code at} of {@code buf}; returns its length. */
    int encode(ByteBuffer buf, int at, int stable, CRC32C crc) {
        int runCount = runs.count();
        int length = recordBytes(runCount);
        int p = at + RecordFormat.HEADER_BYTES;
        buf.putInt(p, runCount);
        p += 4;
        for (int i = 0; i < runCount; i++) {
            buf.putLong(p, runs.runStart(i));
            buf.putLong(p + 8, runs.runTerm(i));
            p += 16;
        }
        buf.putInt(p, length);
        buf.putInt(p + 4, TRAILER_MAGIC);
        long lastTerm = runCount == 0 ? 0 : runs.runTerm(runCount - 1);
        RecordFormat.writeHeader(buf, at, length - RecordFormat.HEADER_BYTES, lastIndex, lastTerm, stable,
                RecordFormat.KIND_SEAL, crc);
        return length;
    }

    /**
     * Decodes the payload of a seal record whose CRC was checked, found at {@code at} of {@code buf};
     * returns null if its structure is inconsistent (which a valid CRC makes a bug or a forgery).
     *
     * @param firstIndex the segment's first index
     */
    static Seal decode(ByteBuffer buf, int at, long firstIndex) {
        int payloadLength = buf.getInt(at + RecordFormat.OFFSET_LENGTH);
        long lastIndex = buf.getLong(at + RecordFormat.OFFSET_INDEX);
        int p = at + RecordFormat.HEADER_BYTES;
        int runCount = buf.getInt(p);
        if (runCount < 0 || recordBytes(runCount) != RecordFormat.HEADER_BYTES + payloadLength
                || lastIndex < firstIndex - 1) {
            return null;
        }
        p += 4;
        TermRuns runs = new TermRuns();
        long previousStart = firstIndex - 1;
        for (int i = 0; i < runCount; i++) {
            long start = buf.getLong(p);
            long term = buf.getLong(p + 8);
            if (start <= previousStart || start > lastIndex || term < 0
                    || (i > 0 && term <= runs.runTerm(i - 1))) {
                return null;
            }
            runs.add(start, term);
            previousStart = start;
            p += 16;
        }
        if (buf.getInt(p) != recordBytes(runCount) || buf.getInt(p + 4) != TRAILER_MAGIC) {
            return null;
        }
        return new Seal(lastIndex, runs);
    }
}
