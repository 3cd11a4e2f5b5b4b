package io.ringraft.storage;

import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.TermRuns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Recovery's scan of the newest segment, the only one whose end is not recorded anywhere: it walks
 * the records from the header, and where the valid records stop it decides what the rest is.
 *
 * <ul>
 *   <li><b>Nothing</b>: the rest of the file is zeros (preallocated, never written). The segment
 *       continues there.</li>
 *   <li><b>A torn tail</b>: the rest holds bytes of writes that a crash cut short or reordered. No
 *       valid record after the stopping point was written after the stopping point had been forced,
 *       so none of these bytes was ever durable and no entry in them was ever acknowledged. The
 *       caller cuts them away (with a seal) before anything new is written.</li>
 *   <li><b>Corruption</b>: some valid record further on carries a stable offset beyond the stopping
 *       point, which proves the bytes there had been forced before that record was written: durable
 *       data has been damaged. This throws {@link CorruptStorageException}.</li>
 * </ul>
 *
 * A record with a valid frame but not the expected index or a lower term than the one before is
 * treated like damage at that point. A valid seal ends the scan. Blocks on reading the file once
 * (and, after a stopping point with non-zero bytes, once more to look for proof of durability).
 */
final class TailScan {

    private static final int CHUNK_BYTES = 1 << 20;

    /** Term runs of the entries scanned (up to {@link #lastIndex}). */
    final TermRuns runs = new TermRuns();
    /** Last entry scanned ({@code firstIndex - 1} if none). */
    long lastIndex;
    /** Offset after the last entry record scanned (where a cut or the next record goes). */
    long recordsEnd;
    /** The seal found after the records, or null. */
    Seal seal;
    /** Offset after the seal record, when there is one. */
    long sealEnd;
    /** True if non-zero bytes after {@link #recordsEnd} that are not a seal must be cut. */
    boolean torn;
    /** The file's size when scanned. */
    long fileSize;

    private TailScan() {
    }

    /** Scans {@code segment} (whose header was verified), filling in its sparse index as it goes. */
    static TailScan scan(Segment segment) throws IOException {
        TailScan scan = new TailScan();
        scan.fileSize = segment.file.size();
        RecordCursor cursor = new RecordCursor(segment.file, Segment.HEADER_BYTES, scan.fileSize);
        long expected = segment.firstIndex;
        long previousTerm = -1;
        while (true) {
            RecordCursor.Status status = cursor.next();
            if (status == RecordCursor.Status.RECORD && cursor.kind() == RecordFormat.KIND_SEAL
                    && cursor.index() <= expected - 1) {
                scan.takeSeal(segment, cursor, expected - 1);
                break;
            }
            if (status != RecordCursor.Status.RECORD || !RecordFormat.isEntryKind(cursor.kind())
                    || cursor.index() != expected || cursor.term() < previousTerm) {
                scan.classifyStop(segment, cursor.position(), expected);
                break;
            }
            segment.noteOffset(expected, cursor.position());
            scan.runs.append(expected, cursor.term());
            previousTerm = cursor.term();
            expected++;
            cursor.advance();
        }
        scan.lastIndex = scan.seal != null ? scan.seal.lastIndex() : expected - 1;
        scan.recordsEnd = cursor.position();
        return scan;
    }

    private void takeSeal(Segment segment, RecordCursor cursor, long scannedLast) throws CorruptStorageException {
        Seal found = Seal.decode(cursor.buffer(), cursor.recordOffsetInBuffer(), segment.firstIndex);
        if (found == null || !agree(found.runs(), runs, found.lastIndex())) {
            throw new CorruptStorageException(segment.path, cursor.position(), "the seal (last index "
                    + cursor.index() + ") contradicts the records before it (last index " + scannedLast + ", terms "
                    + runs + ")");
        }
        seal = found;
        sealEnd = cursor.recordEnd();
        runs.truncateFrom(found.lastIndex() + 1);
        segment.forgetOffsetsAfter(found.lastIndex());
    }

    /** True if the seal's runs give the same terms as the scanned ones wherever the seal has runs. */
    private static boolean agree(TermRuns sealed, TermRuns scanned, long lastIndex) {
        for (int i = 0; i < sealed.count(); i++) {
            long start = sealed.runStart(i);
            long end = i + 1 < sealed.count() ? sealed.runStart(i + 1) - 1 : lastIndex;
            if (scanned.termOf(start) != sealed.runTerm(i) || scanned.termOf(end) != sealed.runTerm(i)) {
                return false;
            }
        }
        return true;
    }

    /** Decides what the bytes from {@code stop} on are: nothing, a torn tail, or proof of corruption. */
    private void classifyStop(Segment segment, long stop, long expectedIndex) throws IOException {
        if (allZero(segment.file, stop, fileSize)) {
            return;
        }
        long proof = findDurableRecordAfter(segment.file, stop, fileSize);
        if (proof >= 0) {
            throw new CorruptStorageException(segment.path, stop, "the record of index " + expectedIndex
                    + " is damaged (bad checksum, frame, index or term), but the record at offset " + proof
                    + " was written after offset " + stop + " had been made durable: durable, possibly"
                    + " acknowledged entries are lost; refusing to cut them away (restore this node from"
                    + " its peers)");
        }
        torn = true;
    }

    /** True if bytes {@code [from, to)} of the file are all zero. */
    static boolean allZero(FileHandle file, long from, long to) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        long position = from;
        while (position < to) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, to - position));
            int read = file.read(chunk, position);
            if (read <= 0) {
                return true; // the file is shorter than it was: nothing there
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

    /**
     * Looks at every offset after {@code stop} for a record with a valid frame and CRC whose stable
     * offset is beyond {@code stop}; returns its offset or -1.
     */
    static long findDurableRecordAfter(FileHandle file, long stop, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES + RecordFormat.HEADER_BYTES);
        CRC32C crc = new CRC32C();
        long chunkStart = stop + 1;
        while (chunkStart + RecordFormat.HEADER_BYTES <= size) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - chunkStart));
            int read = file.read(chunk, chunkStart);
            int lastCandidate = read - RecordFormat.HEADER_BYTES;
            for (int i = 0; i <= lastCandidate; i++) {
                if (isCandidate(chunk, i, chunkStart + i, stop, size)
                        && hasValidCrc(file, chunkStart + i, chunk.getInt(i + RecordFormat.OFFSET_LENGTH), crc)) {
                    return chunkStart + i;
                }
            }
            if (lastCandidate < 0) {
                break;
            }
            chunkStart += lastCandidate + 1;
        }
        return -1;
    }

    private static boolean isCandidate(ByteBuffer chunk, int i, long offset, long stop, long size) {
        byte kind = chunk.get(i + RecordFormat.OFFSET_KIND);
        if (!(RecordFormat.isEntryKind(kind) || kind == RecordFormat.KIND_SEAL)
                || !RecordFormat.reservedBytesZero(chunk, i)) {
            return false;
        }
        int stable = chunk.getInt(i + RecordFormat.OFFSET_STABLE);
        int length = chunk.getInt(i + RecordFormat.OFFSET_LENGTH);
        return stable > stop && stable <= offset && length >= 0
                && length <= Math.min(RecordFormat.MAX_PAYLOAD, size - offset - RecordFormat.HEADER_BYTES);
    }

    private static boolean hasValidCrc(FileHandle file, long offset, int length, CRC32C crc) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(RecordFormat.HEADER_BYTES + length);
        if (file.read(record, offset) < record.capacity()) {
            return false;
        }
        return record.getInt(RecordFormat.OFFSET_CRC) == RecordFormat.crcOf(record, 0, length, crc);
    }
}
