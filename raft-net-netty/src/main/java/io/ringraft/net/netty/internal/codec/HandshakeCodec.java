package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The handshake frames. Their layout is frozen across protocol versions (header version byte
 * {@link WireFormat#HANDSHAKE_VERSION}, group id 0), so that any two builds can always tell each
 * other why they cannot talk.
 *
 * <pre>
 * HELLO     : magic:u32 minVersion:u8 maxVersion:u8 nodeId:i64 clusterIdLength:u8 clusterId[utf-8]
 * HELLO_ACK : magic:u32 version:u8 nodeId:i64 clusterIdLength:u8 clusterId[utf-8]
 * REFUSE    : reason:u8 messageLength:u16 message[utf-8]
 * </pre>
 */
public final class HandshakeCodec {

    /** Longest cluster id, in UTF-8 bytes. */
    public static final int MAX_CLUSTER_ID_BYTES = 255;
    private static final int MAX_REFUSE_MESSAGE_BYTES = 512;

    /** The connecting side's greeting. */
    public record Hello(int minVersion, int maxVersion, long nodeId, String clusterId) {
    }

    /** The accepting side's answer when it accepts: the version both will speak. */
    public record HelloAck(int version, long nodeId, String clusterId) {
    }

    /** The accepting side's answer when it refuses; the connection closes after it. */
    public record Refuse(RefuseReason reason, String message) {
    }

    /** Why a connection was refused. */
    public enum RefuseReason {
        WRONG_CLUSTER(1), UNKNOWN_NODE(2), INCOMPATIBLE_VERSION(3), BAD_HANDSHAKE(4);

        private final int code;

        RefuseReason(int code) {
            this.code = code;
        }

        static RefuseReason fromCode(int code) {
            for (RefuseReason reason : values()) {
                if (reason.code == code) {
                    return reason;
                }
            }
            return BAD_HANDSHAKE; // a newer peer's reason we do not know: still a refusal
        }
    }

    private HandshakeCodec() {
    }

    public static ByteBuf encodeHello(ByteBufAllocator alloc, Hello hello) {
        byte[] cluster = clusterIdBytes(hello.clusterId());
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 4 + 2 + 8 + 1 + cluster.length);
        WireFormat.writeHeader(out, WireFormat.HANDSHAKE_VERSION, WireFormat.HELLO, 0);
        out.writeInt(WireFormat.MAGIC);
        out.writeByte(hello.minVersion());
        out.writeByte(hello.maxVersion());
        out.writeLong(hello.nodeId());
        out.writeByte(cluster.length);
        out.writeBytes(cluster);
        return out;
    }

    public static ByteBuf encodeAck(ByteBufAllocator alloc, HelloAck ack) {
        byte[] cluster = clusterIdBytes(ack.clusterId());
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 4 + 1 + 8 + 1 + cluster.length);
        WireFormat.writeHeader(out, WireFormat.HANDSHAKE_VERSION, WireFormat.HELLO_ACK, 0);
        out.writeInt(WireFormat.MAGIC);
        out.writeByte(ack.version());
        out.writeLong(ack.nodeId());
        out.writeByte(cluster.length);
        out.writeBytes(cluster);
        return out;
    }

    public static ByteBuf encodeRefuse(ByteBufAllocator alloc, Refuse refuse) {
        byte[] text = refuse.message().getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_REFUSE_MESSAGE_BYTES);
        while (length < text.length && (text[length] & 0xC0) == 0x80) {
            length--; // never cut inside a character: the peer decodes strict UTF-8
        }
        ByteBuf out = alloc.buffer(WireFormat.HEADER_BYTES + 1 + 2 + length);
        WireFormat.writeHeader(out, WireFormat.HANDSHAKE_VERSION, WireFormat.REFUSE, 0);
        out.writeByte(refuse.reason().code);
        out.writeShort(length);
        out.writeBytes(text, 0, length);
        return out;
    }

    /**
     * Reads the header of a handshake frame.
     *
     * @return the frame type
     * @throws MalformedFrameException if it is not a handshake frame
     */
    public static byte readHeader(ByteBuf frame) {
        WireFormat.require(frame, WireFormat.HEADER_BYTES, "handshake frame header");
        byte version = frame.readByte();
        byte type = frame.readByte();
        long groupId = frame.readLong();
        if (version != WireFormat.HANDSHAKE_VERSION || groupId != 0
                || (type != WireFormat.HELLO && type != WireFormat.HELLO_ACK && type != WireFormat.REFUSE)) {
            throw new MalformedFrameException("expected a handshake frame, got " + WireFormat.typeName(type)
                    + " (version " + version + ", group " + groupId + ")");
        }
        return type;
    }

    /** Decodes a HELLO body (after {@link #readHeader}). */
    public static Hello decodeHello(ByteBuf in) {
        WireFormat.require(in, 4 + 2 + 8 + 1, "HELLO body");
        checkMagic(in.readInt());
        int min = in.readUnsignedByte();
        int max = in.readUnsignedByte();
        long nodeId = in.readLong();
        String cluster = readClusterId(in);
        WireFormat.requireFullyRead(in, "HELLO");
        return new Hello(min, max, nodeId, cluster);
    }

    /** Decodes a HELLO_ACK body (after {@link #readHeader}). */
    public static HelloAck decodeAck(ByteBuf in) {
        WireFormat.require(in, 4 + 1 + 8 + 1, "HELLO_ACK body");
        checkMagic(in.readInt());
        int version = in.readUnsignedByte();
        long nodeId = in.readLong();
        String cluster = readClusterId(in);
        WireFormat.requireFullyRead(in, "HELLO_ACK");
        return new HelloAck(version, nodeId, cluster);
    }

    /** Decodes a REFUSE body (after {@link #readHeader}). */
    public static Refuse decodeRefuse(ByteBuf in) {
        WireFormat.require(in, 1 + 2, "REFUSE body");
        int reason = in.readUnsignedByte();
        int length = in.readUnsignedShort();
        WireFormat.require(in, length, "REFUSE message");
        String message = utf8(in, length, "REFUSE message");
        WireFormat.requireFullyRead(in, "REFUSE");
        return new Refuse(RefuseReason.fromCode(reason), message);
    }

    /** The UTF-8 bytes of a cluster id, checking its length. */
    public static byte[] clusterIdBytes(String clusterId) {
        byte[] bytes = clusterId.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_CLUSTER_ID_BYTES) {
            throw new IllegalArgumentException("cluster id must have 1.." + MAX_CLUSTER_ID_BYTES
                    + " UTF-8 bytes, got " + bytes.length);
        }
        return bytes;
    }

    private static void checkMagic(int magic) {
        if (magic != WireFormat.MAGIC) {
            throw new MalformedFrameException("not a RingRaft handshake (magic " + Integer.toHexString(magic) + ")");
        }
    }

    private static String readClusterId(ByteBuf in) {
        int length = in.readUnsignedByte();
        if (length == 0) {
            throw new MalformedFrameException("empty cluster id");
        }
        WireFormat.require(in, length, "cluster id");
        return utf8(in, length, "cluster id");
    }

    private static String utf8(ByteBuf in, int length, String what) {
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException(what + " is not valid UTF-8");
        }
    }
}
