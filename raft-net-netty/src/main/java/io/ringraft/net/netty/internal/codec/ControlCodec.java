package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import io.ringraft.message.TimeoutNow;
import io.ringraft.api.LogId;

/**
 * Bodies of the small control messages of linearizable reads, leadership transfer and quiescence:
 * fixed size, no variable parts.
 *
 * <pre>
 * READ_INDEX_REQUEST   (32 bytes): from:i64 to:i64 term:i64 requestId:i64
 * READ_INDEX_RESPONSE  (41 bytes): from:i64 to:i64 term:i64 requestId:i64 readIndex:i64 flags:u8 (bit 0 success)
 * LEADERSHIP_PROBE     (32 bytes): from:i64 to:i64 term:i64 round:i64
 * LEADERSHIP_PROBE_ACK (32 bytes): from:i64 to:i64 term:i64 round:i64
 * TIMEOUT_NOW          (24 bytes): from:i64 to:i64 term:i64
 * QUIESCE              (40 bytes): from:i64 to:i64 term:i64 lastLogTerm:i64 lastLogIndex:i64
 * </pre>
 */
final class ControlCodec {

    static final int FOUR_LONGS = 4 * Long.BYTES;
    static final int READ_INDEX_RESPONSE_BYTES = 5 * Long.BYTES + 1;
    static final int TIMEOUT_NOW_BYTES = 3 * Long.BYTES;
    static final int QUIESCE_BYTES = 5 * Long.BYTES;
    private static final int SUCCESS = 1;

    private ControlCodec() {
    }

    /** The frame type of a control message, or 0 if {@code message} is not one. */
    static byte typeOf(RaftMessage message) {
        if (message instanceof ReadIndexRequest) {
            return WireFormat.READ_INDEX_REQUEST;
        }
        if (message instanceof ReadIndexResponse) {
            return WireFormat.READ_INDEX_RESPONSE;
        }
        if (message instanceof LeadershipProbe) {
            return WireFormat.LEADERSHIP_PROBE;
        }
        if (message instanceof LeadershipProbeAck) {
            return WireFormat.LEADERSHIP_PROBE_ACK;
        }
        if (message instanceof TimeoutNow) {
            return WireFormat.TIMEOUT_NOW;
        }
        if (message instanceof Quiesce) {
            return WireFormat.QUIESCE;
        }
        return 0;
    }

    static int bodyBytes(byte type) {
        return switch (type) {
            case WireFormat.READ_INDEX_RESPONSE -> READ_INDEX_RESPONSE_BYTES;
            case WireFormat.TIMEOUT_NOW -> TIMEOUT_NOW_BYTES;
            case WireFormat.QUIESCE -> QUIESCE_BYTES;
            default -> FOUR_LONGS;
        };
    }

    static void encode(RaftMessage message, ByteBuf out) {
        out.writeLong(message.from());
        out.writeLong(message.to());
        out.writeLong(message.term());
        if (message instanceof ReadIndexRequest m) {
            out.writeLong(m.requestId());
        } else if (message instanceof ReadIndexResponse m) {
            out.writeLong(m.requestId());
            out.writeLong(m.readIndex());
            out.writeByte(m.success() ? SUCCESS : 0);
        } else if (message instanceof LeadershipProbe m) {
            out.writeLong(m.round());
        } else if (message instanceof LeadershipProbeAck m) {
            out.writeLong(m.round());
        } else if (message instanceof Quiesce m) {
            out.writeLong(m.lastLogId().term());
            out.writeLong(m.lastLogId().index());
        }
    }

    static RaftMessage decode(byte type, ByteBuf in) {
        String name = WireFormat.typeName(type);
        WireFormat.require(in, bodyBytes(type), name + " body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        try {
            RaftMessage message = switch (type) {
                case WireFormat.READ_INDEX_REQUEST -> new ReadIndexRequest(from, to, term, in.readLong());
                case WireFormat.READ_INDEX_RESPONSE -> {
                    long requestId = in.readLong();
                    long readIndex = in.readLong();
                    int flags = in.readUnsignedByte();
                    if ((flags & ~SUCCESS) != 0) {
                        throw new MalformedFrameException(name + " has unknown flags " + flags);
                    }
                    yield new ReadIndexResponse(from, to, term, requestId, flags == SUCCESS, readIndex);
                }
                case WireFormat.LEADERSHIP_PROBE -> new LeadershipProbe(from, to, term, in.readLong());
                case WireFormat.LEADERSHIP_PROBE_ACK -> new LeadershipProbeAck(from, to, term, in.readLong());
                case WireFormat.TIMEOUT_NOW -> new TimeoutNow(from, to, term);
                case WireFormat.QUIESCE -> {
                    long lastTerm = in.readLong();
                    long lastIndex = in.readLong();
                    yield new Quiesce(from, to, term, new LogId(lastTerm, lastIndex));
                }
                default -> throw new MalformedFrameException("unexpected frame " + name);
            };
            WireFormat.requireFullyRead(in, name);
            return message;
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid " + name, e);
        }
    }
}
