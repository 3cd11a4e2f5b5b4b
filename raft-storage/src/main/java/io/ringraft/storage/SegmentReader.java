package io.ringraft.storage;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import java.io.IOException;
import java.util.function.LongUnaryOperator;

/**
 * Reads entries out of segment files, checking every record it passes (frame, CRC, index sequence,
 * term), and builds the sparse index of sealed segments on first use.
 *
 * <p>Called by reader threads (and by the opener for {@code verifyOnOpen}) while they hold the
 * storage's read lock, so the segment's live range cannot change underneath. Blocks on file reads.
 * Any inconsistency is a {@link CorruptStorageException}: these records were durable (a sealed
 * segment was forced before it was sealed; the tail's records below the write position were checked
 * when the storage was opened or were written by this process).
 */
final class SegmentReader {

    private SegmentReader() {
    }

    /** Entries gathered by one read, within its count and byte limits. */
    static final class Batch {
        final HeapLogEntries.Builder builder;
        private final int maxCount;
        private final long maxBytes;
        private int count;
        private long bytes;

        Batch(long fromIndex, int maxCount, long maxBytes) {
            this.builder = HeapLogEntries.builder(fromIndex);
            this.maxCount = maxCount;
            this.maxBytes = maxBytes;
        }

        /** True if the next entry, of {@code payloadLength} bytes, may be added. */
        boolean accepts(int payloadLength) {
            return count < maxCount && (count == 0 || bytes + payloadLength <= maxBytes);
        }

        void add(long term, EntryKind kind, byte[] payload) {
            builder.add(term, kind, payload);
            count++;
            bytes += payload.length;
        }
    }

    /**
     * Builds the sparse index of {@code segment} if it has none, checking every live record against
     * {@code termOf} (the storage's term runs).
     */
    static void ensureIndexed(Segment segment, LongUnaryOperator termOf) throws IOException {
        if (segment.isIndexed()) {
            return;
        }
        synchronized (segment) {
            if (segment.isIndexed()) {
                return;
            }
            RecordCursor cursor = new RecordCursor(segment.file, Segment.HEADER_BYTES, segment.recordsEnd);
            for (long index = segment.firstIndex; index <= segment.lastIndex; index++) {
                check(segment, cursor, index, termOf);
                segment.noteOffset(index, cursor.position());
                cursor.advance();
            }
            segment.markIndexed();
        }
    }

    /**
     * Adds entries of {@code segment} from {@code fromIndex} (which it holds) to {@code batch} until
     * the segment's last live entry or the batch's limits.
     *
     * @return true if the batch's limits stopped the read, false if the segment's entries ran out
     */
    static boolean read(Segment segment, long fromIndex, Batch batch, LongUnaryOperator termOf) throws IOException {
        ensureIndexed(segment, termOf);
        long index = segment.checkpointIndex(fromIndex);
        RecordCursor cursor = new RecordCursor(segment.file, segment.checkpointOffset(index), segment.recordsEnd);
        for (; index <= segment.lastIndex; index++) {
            check(segment, cursor, index, termOf);
            if (index >= fromIndex) {
                if (!batch.accepts(cursor.payloadLength())) {
                    return true;
                }
                batch.add(cursor.term(), EntryKind.fromCode(cursor.kind()), cursor.payload());
            }
            cursor.advance();
        }
        return false;
    }

    /** Checks that the cursor is on a valid record of entry {@code index} with the expected term. */
    private static void check(Segment segment, RecordCursor cursor, long index, LongUnaryOperator termOf)
            throws IOException {
        RecordCursor.Status status = cursor.next();
        if (status != RecordCursor.Status.RECORD) {
            throw new CorruptStorageException(segment.path, cursor.position(), "the record of index " + index
                    + " is " + (status == RecordCursor.Status.DAMAGED ? "damaged (bad checksum or frame)"
                    : "missing or cut short") + " in a part of the log that was durable");
        }
        if (!RecordFormat.isEntryKind(cursor.kind()) || cursor.index() != index) {
            throw new CorruptStorageException(segment.path, cursor.position(), "expected the record of index "
                    + index + " but found " + (RecordFormat.isEntryKind(cursor.kind()) ? "index " + cursor.index()
                    : "a seal"));
        }
        long expectedTerm = termOf.applyAsLong(index);
        if (expectedTerm >= 0 && cursor.term() != expectedTerm) {
            throw new CorruptStorageException(segment.path, cursor.position(), "the record of index " + index
                    + " has term " + cursor.term() + " but the segment's seal says term " + expectedTerm);
        }
    }
}
