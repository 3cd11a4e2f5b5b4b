package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;

/**
 * Constants and the common header of RingRaft's wire format (see {@code docs/transport.md}).
 *
 * <p>Every frame is {@code length:u32 | version:u8 | type:u8 | groupId:i64 | body}; the length
 * prefix (written by Netty's {@code LengthFieldPrepender}, stripped by the frame decoder) counts the
 * bytes after it. Integers are big-endian. Handshake frames ({@link #HELLO}, {@link #HELLO_ACK},
 * {@link #REFUSE}) have a layout frozen across protocol versions and carry group id 0.
 */
public final class WireFormat {

    /** The protocol version this build speaks (the only one so far). */
    public static final byte VERSION = 1;
    /** Lowest protocol version this build accepts. */
    public static final byte MIN_VERSION = 1;
    /** Highest protocol version this build accepts. */
    public static final byte MAX_VERSION = 1;
    /** Version byte of handshake frames: their layout never changes. */
    public static final byte HANDSHAKE_VERSION = 1;

    /** "RRFT": first field of HELLO and HELLO_ACK bodies, rejects foreign protocols early. */
    public static final int MAGIC = 0x52524654;

    /** Size of the length prefix. */
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Size of the header after the length prefix: version, type, group id. */
    public static final int HEADER_BYTES = 1 + 1 + 8;
    /** Largest frame accepted before the handshake completes (HELLO is well under it). */
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 1024;
    /** Smallest allowed {@code maxFrameBytes}. */
    public static final int MIN_MAX_FRAME_BYTES = 1024;

    // frame types: handshake
    public static final byte HELLO = 1;
    public static final byte HELLO_ACK = 2;
    public static final byte REFUSE = 3;
    // frame types: Raft messages
    public static final byte VOTE_REQUEST = 16;
    public static final byte VOTE_RESPONSE = 17;
    public static final byte APPEND_ENTRIES_REQUEST = 18;
    public static final byte APPEND_ENTRIES_RESPONSE = 19;
    public static final byte READ_INDEX_REQUEST = 20;
    public static final byte READ_INDEX_RESPONSE = 21;
    public static final byte LEADERSHIP_PROBE = 22;
    public static final byte LEADERSHIP_PROBE_ACK = 23;
    public static final byte TIMEOUT_NOW = 24;
    /** A leader puts an idle group to sleep (quiescence): a control message, like the four before it. */
    public static final byte QUIESCE = 29;
    // frame types: a command forwarded by a follower to the leader, and the answer (the next free
    // types after the control messages 20..24; 27..28 are the heartbeat batches, 29 is QUIESCE, 30..31 unassigned). FORWARD_PROPOSAL is
    // bulk data for flow control, FORWARD_PROPOSAL_RESULT a control message (see ForwardCodec).
    public static final byte FORWARD_PROPOSAL = 25;
    public static final byte FORWARD_PROPOSAL_RESULT = 26;
    // frame types: host-level batches of many groups' heartbeats and their answers, between two
    // processes' host links, under the reserved host group id (see BatchCodec); 29 is QUIESCE, 30..31 are unassigned.
    public static final byte HEARTBEAT_BATCH = 27;
    public static final byte HEARTBEAT_BATCH_RESPONSE = 28;
    // frame types: snapshot transfer (32..47 belong to it; 34..47 are still reserved, e.g. for an
    // abort); 48..255 are unassigned.
    public static final byte INSTALL_SNAPSHOT_REQUEST = 32;
    public static final byte INSTALL_SNAPSHOT_RESPONSE = 33;
    // frame types: the client protocol (48..63 belong to it; see docs/client.md), spoken on connections
    // whose HELLO carries CLIENT_NODE_ID
    public static final byte CLIENT_REQUEST = 48;
    public static final byte CLIENT_RESPONSE = 49;
    public static final byte CLIENT_ERROR = 50;
    /** A batch of a remote keyed subscription's committed entries (docs/client.md). */
    public static final byte SUBSCRIPTION_BATCH = 51;
    /** Node id a client (not a Raft node) sends in its HELLO: node ids are positive, so it names no node. */
    public static final long CLIENT_NODE_ID = 0;

    private WireFormat() {
    }

    /** Writes the header of a frame (the length prefix is added by the pipeline). */
    public static void writeHeader(ByteBuf out, byte version, byte type, long groupId) {
        out.writeByte(version);
        out.writeByte(type);
        out.writeLong(groupId);
    }

    /** Throws unless {@code frame} still holds {@code bytes} readable bytes. */
    public static void require(ByteBuf frame, int bytes, String what) {
        if (frame.readableBytes() < bytes) {
            throw new MalformedFrameException(what + " needs " + bytes + " more bytes, frame has "
                    + frame.readableBytes());
        }
    }

    /** Throws unless {@code frame} was read to its end. */
    public static void requireFullyRead(ByteBuf frame, String what) {
        if (frame.isReadable()) {
            throw new MalformedFrameException(what + " has " + frame.readableBytes() + " trailing bytes");
        }
    }

    /** A readable name of a frame type, for logs. */
    public static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case HELLO_ACK -> "HELLO_ACK";
            case REFUSE -> "REFUSE";
            case VOTE_REQUEST -> "VOTE_REQUEST";
            case VOTE_RESPONSE -> "VOTE_RESPONSE";
            case APPEND_ENTRIES_REQUEST -> "APPEND_ENTRIES_REQUEST";
            case APPEND_ENTRIES_RESPONSE -> "APPEND_ENTRIES_RESPONSE";
            case READ_INDEX_REQUEST -> "READ_INDEX_REQUEST";
            case READ_INDEX_RESPONSE -> "READ_INDEX_RESPONSE";
            case LEADERSHIP_PROBE -> "LEADERSHIP_PROBE";
            case LEADERSHIP_PROBE_ACK -> "LEADERSHIP_PROBE_ACK";
            case TIMEOUT_NOW -> "TIMEOUT_NOW";
            case QUIESCE -> "QUIESCE";
            case FORWARD_PROPOSAL -> "FORWARD_PROPOSAL";
            case FORWARD_PROPOSAL_RESULT -> "FORWARD_PROPOSAL_RESULT";
            case HEARTBEAT_BATCH -> "HEARTBEAT_BATCH";
            case HEARTBEAT_BATCH_RESPONSE -> "HEARTBEAT_BATCH_RESPONSE";
            case INSTALL_SNAPSHOT_REQUEST -> "INSTALL_SNAPSHOT_REQUEST";
            case INSTALL_SNAPSHOT_RESPONSE -> "INSTALL_SNAPSHOT_RESPONSE";
            case CLIENT_REQUEST -> "CLIENT_REQUEST";
            case CLIENT_RESPONSE -> "CLIENT_RESPONSE";
            case CLIENT_ERROR -> "CLIENT_ERROR";
            case SUBSCRIPTION_BATCH -> "SUBSCRIPTION_BATCH";
            default -> "type " + (type & 0xFF);
        };
    }
}
