package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.Releasable;
import java.nio.ByteBuffer;

/**
 * Bodies of {@link AppendEntriesRequest} and {@link AppendEntriesResponse}.
 *
 * <pre>
 * APPEND_ENTRIES_REQUEST: from:i64 to:i64 term:i64 prevLogTerm:i64 prevLogIndex:i64 leaderCommit:i64
 *                         count:i32, then count entries of  term:i64 kind:u8 length:i32 payload[length]
 *                         (entry i has index prevLogIndex + 1 + i)
 * APPEND_ENTRIES_RESPONSE (57 bytes): from:i64 to:i64 term:i64 flags:u8 (bit 0 success)
 *                         matchIndex:i64 rejectedPrevIndex:i64 hintTerm:i64 hintIndex:i64
 * </pre>
 *
 * <p>Encoding copies each payload once, straight from the sender's {@link LogEntries} view (ring
 * slots) into the outgoing buffer. Decoding validates the whole frame first, then hands out a
 * {@link WireLogEntries} view over a retained slice of the frame's entry region, without copying:
 * a decoded request with entries holds a reference to the frame's buffer, which its owner gives
 * back with {@link Releasable#release(io.ringraft.message.RaftMessage)} (see {@link WireLogEntries}).
 */
final class AppendCodec {

    static final int REQUEST_FIXED_BYTES = 6 * Long.BYTES + Integer.BYTES;
    static final int ENTRY_HEADER_BYTES = Long.BYTES + 1 + Integer.BYTES;
    static final int RESPONSE_BODY_BYTES = 3 * Long.BYTES + 1 + 4 * Long.BYTES;

    private static final int SUCCESS = 1;

    private AppendCodec() {
    }

    /**
     * How many entries of {@code entries}, from the first, fit in a request body of at most
     * {@code maxBodyBytes}; 0 for a heartbeat or when not even the first entry fits.
     */
    static int fittingEntries(LogEntries entries, int maxBodyBytes) {
        long budget = maxBodyBytes - (long) REQUEST_FIXED_BYTES;
        int count = entries.count();
        for (int i = 0; i < count; i++) {
            budget -= ENTRY_HEADER_BYTES + (long) entries.payloadAt(i).length();
            if (budget < 0) {
                return i;
            }
        }
        return count;
    }

    /** Body size of a request carrying the first {@code count} entries. */
    static int requestBodyBytes(LogEntries entries, int count) {
        long size = REQUEST_FIXED_BYTES;
        for (int i = 0; i < count; i++) {
            size += ENTRY_HEADER_BYTES + (long) entries.payloadAt(i).length();
        }
        return Math.toIntExact(size);
    }

    /** Writes the request with its first {@code count} entries (a prefix is still a valid request). */
    static void encodeRequest(AppendEntriesRequest m, int count, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.prevLogId().term());
        out.writeLong(m.prevLogId().index());
        out.writeLong(m.leaderCommit());
        out.writeInt(count);
        LogEntries entries = m.entries();
        for (int i = 0; i < count; i++) {
            Bytes payload = entries.payloadAt(i);
            int length = payload.length();
            out.writeLong(entries.termAt(i));
            out.writeByte(entries.kindAt(i).code());
            out.writeInt(length);
            copyPayload(payload, length, out);
        }
    }

    /** Copies a payload (a view of any memory) into {@code out} without allocating. */
    private static void copyPayload(Bytes payload, int length, ByteBuf out) {
        if (length == 0) {
            return;
        }
        int writerIndex = out.writerIndex();
        out.ensureWritable(length);
        ByteBuffer target = out.internalNioBuffer(writerIndex, length);
        payload.getBytes(0, target, length);
        out.writerIndex(writerIndex + length);
    }

    static AppendEntriesRequest decodeRequest(ByteBuf in) {
        WireFormat.require(in, REQUEST_FIXED_BYTES, "APPEND_ENTRIES_REQUEST body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long prevTerm = in.readLong();
        long prevIndex = in.readLong();
        long leaderCommit = in.readLong();
        int count = in.readInt();
        if (count < 0 || (long) count * ENTRY_HEADER_BYTES > in.readableBytes()) {
            throw new MalformedFrameException("APPEND_ENTRIES_REQUEST claims " + count + " entries in "
                    + in.readableBytes() + " bytes");
        }
        if (prevIndex < 0 || prevTerm < 0 || prevIndex > Long.MAX_VALUE - 1 - count) {
            throw new MalformedFrameException("APPEND_ENTRIES_REQUEST has invalid prevLogId " + prevTerm
                    + "-" + prevIndex + " for " + count + " entries");
        }
        LogEntries entries = count == 0 ? emptyEntries(in, prevIndex) : readEntries(in, term, prevTerm, prevIndex, count);
        try {
            return new AppendEntriesRequest(from, to, term, new LogId(prevTerm, prevIndex), entries, leaderCommit);
        } catch (RuntimeException e) {
            if (entries instanceof Releasable held) {
                held.release(); // no message owns the slice: give it back
            }
            if (e instanceof IllegalArgumentException) {
                throw new MalformedFrameException("invalid APPEND_ENTRIES_REQUEST", e);
            }
            throw e;
        }
    }

    private static LogEntries emptyEntries(ByteBuf in, long prevIndex) {
        WireFormat.requireFullyRead(in, "APPEND_ENTRIES_REQUEST heartbeat");
        return LogEntries.empty(prevIndex + 1);
    }

    /**
     * Validates every entry header in place (lengths within the frame, known kinds, terms
     * non-decreasing from {@code prevTerm} and at most the leader's {@code term}), then takes a
     * retained slice of the entry region (no copy): the returned {@link WireLogEntries} holds one
     * reference to {@code in}'s memory until it is released. Nothing is retained if validation fails.
     */
    private static LogEntries readEntries(ByteBuf in, long term, long prevTerm, long prevIndex, int count) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int[] offsets = new int[count];
        int position = start;
        long previousTerm = prevTerm;
        for (int i = 0; i < count; i++) {
            if (end - position < ENTRY_HEADER_BYTES) {
                throw new MalformedFrameException("entry " + i + " of " + count + " is truncated");
            }
            long entryTerm = in.getLong(position);
            byte kind = in.getByte(position + Long.BYTES);
            int length = in.getInt(position + Long.BYTES + 1);
            if (entryTerm < previousTerm || entryTerm > term) {
                throw new MalformedFrameException("entry " + (prevIndex + 1 + i) + " has term " + entryTerm
                        + ", outside [" + previousTerm + ", " + term + "]");
            }
            if (!EntryKind.isKnown(kind)) {
                throw new MalformedFrameException("entry " + (prevIndex + 1 + i) + " has unknown kind " + kind);
            }
            if (length < 0 || length > end - position - ENTRY_HEADER_BYTES) {
                throw new MalformedFrameException("entry " + (prevIndex + 1 + i) + " claims " + length
                        + " payload bytes, frame has " + (end - position - ENTRY_HEADER_BYTES));
            }
            offsets[i] = position - start;
            previousTerm = entryTerm;
            position += ENTRY_HEADER_BYTES + length;
        }
        if (position != end) {
            throw new MalformedFrameException("APPEND_ENTRIES_REQUEST has " + (end - position) + " trailing bytes");
        }
        return new WireLogEntries(prevIndex + 1, in.readRetainedSlice(end - start), offsets);
    }

    static void encodeResponse(AppendEntriesResponse m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeByte(m.success() ? SUCCESS : 0);
        out.writeLong(m.matchIndex());
        out.writeLong(m.rejectedPrevIndex());
        out.writeLong(m.hint().term());
        out.writeLong(m.hint().index());
    }

    static AppendEntriesResponse decodeResponse(ByteBuf in) {
        WireFormat.require(in, RESPONSE_BODY_BYTES, "APPEND_ENTRIES_RESPONSE body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        int flags = in.readUnsignedByte();
        long matchIndex = in.readLong();
        long rejectedPrevIndex = in.readLong();
        long hintTerm = in.readLong();
        long hintIndex = in.readLong();
        WireFormat.requireFullyRead(in, "APPEND_ENTRIES_RESPONSE");
        if ((flags & ~SUCCESS) != 0) {
            throw new MalformedFrameException("APPEND_ENTRIES_RESPONSE has unknown flags " + flags);
        }
        try {
            return new AppendEntriesResponse(from, to, term, flags == SUCCESS, matchIndex, rejectedPrevIndex,
                    new LogId(hintTerm, hintIndex));
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid APPEND_ENTRIES_RESPONSE", e);
        }
    }
}
