package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.LogId;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;

/**
 * Bodies of {@link VoteRequest} and {@link VoteResponse}: fixed size, no variable parts.
 *
 * <pre>
 * VOTE_REQUEST  (41 bytes): from:i64 to:i64 term:i64 lastLogTerm:i64 lastLogIndex:i64
 *                           flags:u8 (bit 0 preVote, bit 1 leadershipTransfer)
 * VOTE_RESPONSE (25 bytes): from:i64 to:i64 term:i64 flags:u8 (bit 0 granted, bit 1 preVote)
 * </pre>
 */
final class VoteCodec {

    static final int REQUEST_BODY_BYTES = 5 * Long.BYTES + 1;
    static final int RESPONSE_BODY_BYTES = 3 * Long.BYTES + 1;

    private static final int PRE_VOTE = 1;
    private static final int TRANSFER = 2;
    private static final int GRANTED = 1;
    private static final int RESPONSE_PRE_VOTE = 2;

    private VoteCodec() {
    }

    static void encodeRequest(VoteRequest m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.lastLogId().term());
        out.writeLong(m.lastLogId().index());
        out.writeByte((m.preVote() ? PRE_VOTE : 0) | (m.leadershipTransfer() ? TRANSFER : 0));
    }

    static VoteRequest decodeRequest(ByteBuf in) {
        WireFormat.require(in, REQUEST_BODY_BYTES, "VOTE_REQUEST body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long lastTerm = in.readLong();
        long lastIndex = in.readLong();
        int flags = in.readUnsignedByte();
        WireFormat.requireFullyRead(in, "VOTE_REQUEST");
        if ((flags & ~(PRE_VOTE | TRANSFER)) != 0) {
            throw new MalformedFrameException("VOTE_REQUEST has unknown flags " + flags);
        }
        try {
            return new VoteRequest(from, to, term, new LogId(lastTerm, lastIndex), (flags & PRE_VOTE) != 0,
                    (flags & TRANSFER) != 0);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid VOTE_REQUEST", e);
        }
    }

    static void encodeResponse(VoteResponse m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeByte((m.granted() ? GRANTED : 0) | (m.preVote() ? RESPONSE_PRE_VOTE : 0));
    }

    static VoteResponse decodeResponse(ByteBuf in) {
        WireFormat.require(in, RESPONSE_BODY_BYTES, "VOTE_RESPONSE body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        int flags = in.readUnsignedByte();
        WireFormat.requireFullyRead(in, "VOTE_RESPONSE");
        if ((flags & ~(GRANTED | RESPONSE_PRE_VOTE)) != 0) {
            throw new MalformedFrameException("VOTE_RESPONSE has unknown flags " + flags);
        }
        try {
            return new VoteResponse(from, to, term, (flags & GRANTED) != 0, (flags & RESPONSE_PRE_VOTE) != 0);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid VOTE_RESPONSE", e);
        }
    }
}
