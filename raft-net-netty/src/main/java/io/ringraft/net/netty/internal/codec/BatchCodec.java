package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;

/**
 * Bodies of the host-level batches {@link HeartbeatBatch} and {@link HeartbeatBatchResponse}: many
 * groups' heartbeats, or answers, between two processes' host links. Their frames carry the reserved
 * group id {@link HeartbeatBatch#HOST_GROUP_ID}; a batch under any other group id is malformed.
 *
 * <pre>
 * HEARTBEAT_BATCH          (20 + 40 per group): from:i64 to:i64 count:i32, then count times
 *                          groupId:i64 term:i64 prevLogTerm:i64 prevLogIndex:i64 leaderCommit:i64
 * HEARTBEAT_BATCH_RESPONSE (20 + 49 per group): from:i64 to:i64 count:i32, then count times
 *                          groupId:i64 term:i64 flags:u8 (bit 0 success) matchIndex:i64
 *                          rejectedPrevIndex:i64 hintTerm:i64 hintIndex:i64
 * </pre>
 *
 * <p>{@code count} is 0 (a keep-alive) to {@link HeartbeatBatch#MAX_GROUPS}, and the body must be
 * exactly as long as it says; both are checked before any array is allocated.
 */
final class BatchCodec {

    static final int FIXED_BYTES = 2 * Long.BYTES + Integer.BYTES;
    static final int HEARTBEAT_BYTES = 5 * Long.BYTES;
    static final int ANSWER_BYTES = 6 * Long.BYTES + 1;

    private static final int SUCCESS = 1;

    private BatchCodec() {
    }

    static int heartbeatsBodyBytes(HeartbeatBatch m) {
        return FIXED_BYTES + HEARTBEAT_BYTES * m.size();
    }

    static int answersBodyBytes(HeartbeatBatchResponse m) {
        return FIXED_BYTES + ANSWER_BYTES * m.size();
    }

    /** Why a batch cannot travel in a frame of {@code maxFrameBytes}, or null if it can. */
    static String unsendableReason(int bodyBytes, int count, int maxFrameBytes) {
        long frame = (long) WireFormat.HEADER_BYTES + bodyBytes;
        return frame <= maxFrameBytes ? null
                : "a batch of " + count + " groups takes " + frame + " bytes, above maxFrameBytes " + maxFrameBytes;
    }

    static void encodeHeartbeats(HeartbeatBatch m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        int n = m.size();
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeLong(m.groupIds()[i]);
            out.writeLong(m.terms()[i]);
            out.writeLong(m.prevLogTerms()[i]);
            out.writeLong(m.prevLogIndexes()[i]);
            out.writeLong(m.leaderCommits()[i]);
        }
    }

    static void encodeAnswers(HeartbeatBatchResponse m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        int n = m.size();
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeLong(m.groupIds()[i]);
            out.writeLong(m.terms()[i]);
            out.writeByte(m.success(i) ? SUCCESS : 0);
            out.writeLong(m.matchIndexes()[i]);
            out.writeLong(m.rejectedPrevIndexes()[i]);
            out.writeLong(m.hintTerms()[i]);
            out.writeLong(m.hintIndexes()[i]);
        }
    }

    static HeartbeatBatch decodeHeartbeats(long groupId, ByteBuf in) {
        int n = readCount(groupId, in, HEARTBEAT_BYTES, "HEARTBEAT_BATCH");
        long from = in.getLong(in.readerIndex() - FIXED_BYTES);
        long to = in.getLong(in.readerIndex() - FIXED_BYTES + Long.BYTES);
        long[] groups = new long[n];
        long[] terms = new long[n];
        long[] prevTerms = new long[n];
        long[] prevIndexes = new long[n];
        long[] commits = new long[n];
        for (int i = 0; i < n; i++) {
            groups[i] = in.readLong();
            terms[i] = in.readLong();
            prevTerms[i] = in.readLong();
            prevIndexes[i] = in.readLong();
            commits[i] = in.readLong();
        }
        try {
            return new HeartbeatBatch(from, to, groups, terms, prevTerms, prevIndexes, commits);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid HEARTBEAT_BATCH", e);
        }
    }

    static HeartbeatBatchResponse decodeAnswers(long groupId, ByteBuf in) {
        int n = readCount(groupId, in, ANSWER_BYTES, "HEARTBEAT_BATCH_RESPONSE");
        long from = in.getLong(in.readerIndex() - FIXED_BYTES);
        long to = in.getLong(in.readerIndex() - FIXED_BYTES + Long.BYTES);
        long[] groups = new long[n];
        long[] terms = new long[n];
        long[] successes = new long[HeartbeatBatchResponse.wordsFor(n)];
        long[] matches = new long[n];
        long[] rejected = new long[n];
        long[] hintTerms = new long[n];
        long[] hintIndexes = new long[n];
        for (int i = 0; i < n; i++) {
            groups[i] = in.readLong();
            terms[i] = in.readLong();
            int flags = in.readUnsignedByte();
            if ((flags & ~SUCCESS) != 0) {
                throw new MalformedFrameException("HEARTBEAT_BATCH_RESPONSE answer " + i + " has unknown flags " + flags);
            }
            if (flags == SUCCESS) {
                successes[i >>> 6] |= 1L << i;
            }
            matches[i] = in.readLong();
            rejected[i] = in.readLong();
            hintTerms[i] = in.readLong();
            hintIndexes[i] = in.readLong();
        }
        try {
            return new HeartbeatBatchResponse(from, to, groups, terms, successes, matches, rejected, hintTerms,
                    hintIndexes);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid HEARTBEAT_BATCH_RESPONSE", e);
        }
    }

    /** Reads the fixed part; checks the group id, the count's range and the exact body size. */
    private static int readCount(long groupId, ByteBuf in, int entryBytes, String name) {
        if (groupId != HeartbeatBatch.HOST_GROUP_ID) {
            throw new MalformedFrameException(name + " under group " + groupId + ", not the host group "
                    + HeartbeatBatch.HOST_GROUP_ID);
        }
        WireFormat.require(in, FIXED_BYTES, name + " body");
        in.skipBytes(2 * Long.BYTES);
        int n = in.readInt();
        if (n < 0 || n > HeartbeatBatch.MAX_GROUPS || (long) n * entryBytes != in.readableBytes()) {
            throw new MalformedFrameException(name + " claims " + n + " groups (at most " + HeartbeatBatch.MAX_GROUPS
                    + ") in " + in.readableBytes() + " bytes of " + entryBytes + " per group");
        }
        return n;
    }
}
