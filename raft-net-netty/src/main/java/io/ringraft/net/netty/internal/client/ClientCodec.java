package io.ringraft.net.netty.internal.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.nio.charset.StandardCharsets;

/**
 * The client protocol's frames, after the common header ({@code version:u8 type:u8 groupId:i64}):
 *
 * <pre>
 * CLIENT_REQUEST  : requestId:i64 op:u8 then by op
 *                     COMMAND    clientId:i64 seq:i64 ackedBelow:i64 flags:u8(1 = tell) payload[rest]
 *                     UNREGISTER clientId:i64
 *                     QUERY      consistency:u8 maxLag:i64 payload[rest]
 *                     DELIVER    entry[rest]
 *                     SUBSCRIBE  fromIndex:i64 window:u16 credit:u16 maxBatchEntries:u16 maxBatchBytes:i32
 *                                keys:u16 (0xFFFF: any) (length:u16 key)*
 *                     CREDIT     subscription:i64 batches:u16         (no answer)
 *                     UNSUBSCRIBE subscription:i64                   (no answer)
 *                     INFO, REGISTER: nothing
 * CLIENT_RESPONSE : requestId:i64 status:u8 nodeId:i64 role:u8 term:i64 leaderId:i64 applied:i64 commit:i64
 *                   then OK, ACCEPTED, PURGED: present:u8 payload[rest]; other statuses: code:i32 mayHaveTakenEffect:u8 message[rest, utf-8]
 * CLIENT_ERROR    : code:u8 message[rest, utf-8]; the node closes the connection after it
 * SUBSCRIPTION_BATCH: see {@link SubscriptionCodec}
 * </pre>
 * Stateless; any thread.
 */
public final class ClientCodec {

    /** CLIENT_ERROR code: a frame that does not decode. */
    public static final int ERROR_MALFORMED = 1;
    /** CLIENT_ERROR code: a frame longer than the node's frame limit. */
    public static final int ERROR_TOO_LONG = 2;
    /** CLIENT_ERROR code: the node has its most client connections. */
    public static final int ERROR_TOO_MANY_CONNECTIONS = 3;

    private static final int MAX_MESSAGE_BYTES = 1024;

    private ClientCodec() {
    }

    /** {@return the encoded request} @param alloc allocator @param request the request */
    public static ByteBuf encode(ByteBufAllocator alloc, ClientRequest request) {
        int payload = request.payload() == null ? 0 : request.payload().length;
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 9 + 25 + payload);
        WireFormat.writeHeader(out, WireFormat.VERSION, WireFormat.CLIENT_REQUEST, request.groupId());
        out.writeLong(request.requestId());
        out.writeByte(request.op().code);
        switch (request.op()) {
            case COMMAND -> {
                out.writeLong(request.clientId());
                out.writeLong(request.seq());
                out.writeLong(request.ackedBelow());
                out.writeByte(request.tell() ? 1 : 0);
                out.writeBytes(request.payload());
            }
            case UNREGISTER -> out.writeLong(request.clientId());
            case QUERY -> {
                out.writeByte(request.consistency());
                out.writeLong(request.maxLag());
                out.writeBytes(request.payload());
            }
            case DELIVER, SUBSCRIBE -> out.writeBytes(request.payload());
            case CREDIT -> {
                out.writeLong(request.clientId());
                out.writeShort((int) request.seq());
            }
            case UNSUBSCRIBE -> out.writeLong(request.clientId());
            default -> {
            }
        }
        return out;
    }

    /**
     * Decodes a request frame (its header included).
     *
     * @param frame the frame
     * @return the request
     * @throws MalformedFrameException if it is not a valid request
     */
    public static ClientRequest decodeRequest(ByteBuf frame) {
        long groupId = header(frame, WireFormat.CLIENT_REQUEST);
        WireFormat.require(frame, 9, "CLIENT_REQUEST");
        long requestId = frame.readLong();
        int code = frame.readUnsignedByte();
        ClientOp op = ClientOp.of(code);
        if (op == null) {
            throw new MalformedFrameException("unknown client request op " + code);
        }
        return switch (op) {
            case COMMAND -> {
                WireFormat.require(frame, 25, "COMMAND");
                long clientId = frame.readLong();
                long seq = frame.readLong();
                long acked = frame.readLong();
                int flags = frame.readUnsignedByte();
                yield new ClientRequest(groupId, requestId, op, clientId, seq, acked, (flags & 1) != 0, 0, 0, rest(frame));
            }
            case UNREGISTER, UNSUBSCRIBE -> {
                WireFormat.require(frame, 8, op.name());
                long clientId = frame.readLong();
                WireFormat.requireFullyRead(frame, op.name());
                yield new ClientRequest(groupId, requestId, op, clientId, 0, 0, false, 0, 0, null);
            }
            case CREDIT -> {
                WireFormat.require(frame, 10, "CREDIT");
                long subscription = frame.readLong();
                int batches = frame.readUnsignedShort();
                WireFormat.requireFullyRead(frame, "CREDIT");
                yield new ClientRequest(groupId, requestId, op, subscription, batches, 0, false, 0, 0, null);
            }
            case DELIVER -> new ClientRequest(groupId, requestId, op, 0, 0, 0, false, 0, 0, rest(frame));
            case SUBSCRIBE -> {
                byte[] spec = rest(frame);
                SubscriptionCodec.decodeSpec(spec); // validated here: a bad one is a malformed frame
                yield new ClientRequest(groupId, requestId, op, 0, 0, 0, false, 0, 0, spec);
            }
            case QUERY -> {
                WireFormat.require(frame, 9, "QUERY");
                int consistency = frame.readUnsignedByte();
                if (consistency < ClientRequest.LINEARIZABLE || consistency > ClientRequest.BOUNDED_TIME) {
                    throw new MalformedFrameException("unknown consistency " + consistency);
                }
                long maxLag = frame.readLong();
                if (maxLag < 0) {
                    throw new MalformedFrameException("negative maxLag " + maxLag);
                }
                yield new ClientRequest(groupId, requestId, op, 0, 0, 0, false, consistency, maxLag, rest(frame));
            }
            default -> {
                WireFormat.requireFullyRead(frame, op.name());
                yield new ClientRequest(groupId, requestId, op, 0, 0, 0, false, 0, 0, null);
            }
        };
    }

    /** {@return the encoded response} @param alloc allocator @param response the response */
    public static ByteBuf encode(ByteBufAllocator alloc, ClientResponse response) {
        byte[] message = response.message() == null ? new byte[0] : utf8(response.message());
        int payload = response.payload() == null ? 0 : response.payload().length;
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 50 + Math.max(payload + 1, 5 + message.length));
        WireFormat.writeHeader(out, WireFormat.VERSION, WireFormat.CLIENT_RESPONSE, response.groupId());
        out.writeLong(response.requestId());
        out.writeByte(response.status().code);
        out.writeLong(response.nodeId());
        out.writeByte(response.role());
        out.writeLong(response.term());
        out.writeLong(response.leaderId());
        out.writeLong(response.appliedIndex());
        out.writeLong(response.commitIndex());
        if (hasPayload(response.status())) {
            out.writeByte(response.payload() == null ? 0 : 1);
            if (response.payload() != null) {
                out.writeBytes(response.payload());
            }
        } else {
            out.writeInt(response.code());
            out.writeByte(response.mayHaveTakenEffect() ? 1 : 0);
            out.writeBytes(message);
        }
        return out;
    }

    /**
     * Decodes a response frame (its header included).
     *
     * @param frame the frame
     * @return the response
     * @throws MalformedFrameException if it is not a valid response
     */
    public static ClientResponse decodeResponse(ByteBuf frame) {
        long groupId = header(frame, WireFormat.CLIENT_RESPONSE);
        WireFormat.require(frame, 50, "CLIENT_RESPONSE");
        long requestId = frame.readLong();
        int code = frame.readUnsignedByte();
        ClientStatus status = ClientStatus.of(code);
        if (status == null) {
            throw new MalformedFrameException("unknown client response status " + code);
        }
        long nodeId = frame.readLong();
        int role = frame.readUnsignedByte();
        long term = frame.readLong();
        long leaderId = frame.readLong();
        long applied = frame.readLong();
        long commit = frame.readLong();
        if (hasPayload(status)) {
            WireFormat.require(frame, 1, "result presence");
            boolean present = frame.readUnsignedByte() != 0;
            byte[] payload = present ? rest(frame) : null;
            return new ClientResponse(groupId, requestId, status, nodeId, role, term, leaderId, applied, commit, payload,
                    0, false, null);
        }
        WireFormat.require(frame, 5, "failure");
        int failure = frame.readInt();
        boolean may = frame.readUnsignedByte() != 0;
        String message = frame.readCharSequence(frame.readableBytes(), StandardCharsets.UTF_8).toString();
        return new ClientResponse(groupId, requestId, status, nodeId, role, term, leaderId, applied, commit, null,
                failure, may, message);
    }

    private static boolean hasPayload(ClientStatus status) {
        return status == ClientStatus.OK || status == ClientStatus.ACCEPTED || status == ClientStatus.PURGED;
    }

    /** {@return a connection-level error frame} @param alloc allocator @param code the code @param message why */
    public static ByteBuf encodeError(ByteBufAllocator alloc, int code, String message) {
        byte[] text = utf8(message);
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 1 + text.length);
        WireFormat.writeHeader(out, WireFormat.VERSION, WireFormat.CLIENT_ERROR, 0);
        out.writeByte(code);
        out.writeBytes(text);
        return out;
    }

    /**
     * {@return "code: message" of an error frame whose header was read}
     *
     * @param frame the frame after its header
     */
    public static String decodeError(ByteBuf frame) {
        WireFormat.require(frame, 1, "CLIENT_ERROR");
        int code = frame.readUnsignedByte();
        return code + ": " + frame.readCharSequence(frame.readableBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Reads a frame's header, checking version and type.
     *
     * @param frame the frame
     * @param type  the expected type
     * @return the group id
     */
    static long header(ByteBuf frame, byte type) {
        WireFormat.require(frame, WireFormat.HEADER_BYTES, "client frame header");
        byte version = frame.readByte();
        byte actual = frame.readByte();
        long groupId = frame.readLong();
        if (version != WireFormat.VERSION || actual != type) {
            throw new MalformedFrameException("expected " + WireFormat.typeName(type) + " (version " + WireFormat.VERSION
                    + "), got " + WireFormat.typeName(actual) + " (version " + version + ")");
        }
        return groupId;
    }

    static byte[] rest(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        return bytes;
    }

    private static byte[] utf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return bytes;
        }
        int length = MAX_MESSAGE_BYTES;
        while ((bytes[length] & 0xC0) == 0x80) {
            length--;
        }
        return java.util.Arrays.copyOf(bytes, length);
    }
}
