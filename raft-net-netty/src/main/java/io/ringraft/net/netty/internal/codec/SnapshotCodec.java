package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.LogId;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;

/**
 * Bodies of {@link InstallSnapshotRequest} (one chunk of a snapshot) and
 * {@link InstallSnapshotResponse}.
 *
 * <pre>
 * INSTALL_SNAPSHOT_REQUEST  (57 bytes + membership + data): from:i64 to:i64 term:i64
 *                           snapshotTerm:i64 snapshotIndex:i64 offset:i64 flags:u8 (bit 0 done)
 *                           membershipLength:i32 membership[membershipLength]
 *                           dataLength:i32 data[dataLength]
 * INSTALL_SNAPSHOT_RESPONSE (57 bytes): from:i64 to:i64 term:i64 snapshotTerm:i64 snapshotIndex:i64
 *                           nextOffset:i64 flags:u8 (bit 0 done) matchIndex:i64
 * </pre>
 *
 * <p>Snapshots are a cold path: decoding copies membership and data into fresh arrays that the
 * message owns (the frame is released right after decoding).
 */
final class SnapshotCodec {

    /** The request body without its membership and data bytes. */
    static final int REQUEST_FIXED_BYTES = 6 * Long.BYTES + 1 + Integer.BYTES + Integer.BYTES;
    static final int RESPONSE_BODY_BYTES = 6 * Long.BYTES + 1 + Long.BYTES;
    /** Largest encoded membership a request may carry (it is repeated in every chunk). */
    static final int MAX_MEMBERSHIP_BYTES = 64 * 1024;

    private static final int DONE = 1;

    private SnapshotCodec() {
    }

    /** Body size of {@code m}; a long, as a membership and chunk of any size are representable. */
    static long requestBodyBytes(InstallSnapshotRequest m) {
        return REQUEST_FIXED_BYTES + (long) m.membership().length + m.data().length;
    }

    /**
     * Why {@code m} cannot be sent in a frame of at most {@code maxFrameBytes} (membership over
     * {@link #MAX_MEMBERSHIP_BYTES}, or the frame over the limit), or null if it can.
     */
    static String unsendableReason(InstallSnapshotRequest m, int maxFrameBytes) {
        if (m.membership().length > MAX_MEMBERSHIP_BYTES) {
            return "its membership of " + m.membership().length + " bytes exceeds the limit of "
                    + MAX_MEMBERSHIP_BYTES;
        }
        long frame = WireFormat.HEADER_BYTES + requestBodyBytes(m);
        if (frame > maxFrameBytes) {
            return "its frame of " + frame + " bytes (" + m.data().length + " data, " + m.membership().length
                    + " membership) exceeds maxFrameBytes " + maxFrameBytes;
        }
        return null;
    }

    static void encodeRequest(InstallSnapshotRequest m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.snapshot().term());
        out.writeLong(m.snapshot().index());
        out.writeLong(m.offset());
        out.writeByte(m.done() ? DONE : 0);
        out.writeInt(m.membership().length);
        out.writeBytes(m.membership());
        out.writeInt(m.data().length);
        out.writeBytes(m.data());
    }

    static InstallSnapshotRequest decodeRequest(ByteBuf in) {
        WireFormat.require(in, REQUEST_FIXED_BYTES, "INSTALL_SNAPSHOT_REQUEST body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long snapshotTerm = in.readLong();
        long snapshotIndex = in.readLong();
        long offset = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~DONE) != 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST has unknown flags " + flags);
        }
        if (snapshotTerm < 0 || snapshotIndex < 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST has invalid snapshot id " + snapshotTerm
                    + "-" + snapshotIndex);
        }
        if (offset < 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST has negative offset " + offset);
        }
        int membershipLength = in.readInt();
        // what is left must hold the membership and the data length field after it
        int room = in.readableBytes() - Integer.BYTES;
        if (membershipLength < 0 || membershipLength > MAX_MEMBERSHIP_BYTES || membershipLength > room) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST claims " + membershipLength
                    + " membership bytes (at most " + MAX_MEMBERSHIP_BYTES + "), frame has " + room);
        }
        int dataLength = in.getInt(in.readerIndex() + membershipLength);
        int dataRoom = room - membershipLength;
        if (dataLength < 0 || dataLength > dataRoom) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST claims " + dataLength
                    + " data bytes, frame has " + dataRoom);
        }
        if (dataLength != dataRoom) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST has " + (dataRoom - dataLength)
                    + " trailing bytes");
        }
        if (offset > Long.MAX_VALUE - dataLength) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_REQUEST chunk at offset " + offset + " of "
                    + dataLength + " bytes ends past the largest offset");
        }
        byte[] membership = new byte[membershipLength];
        in.readBytes(membership);
        in.skipBytes(Integer.BYTES);
        byte[] data = new byte[dataLength];
        in.readBytes(data);
        WireFormat.requireFullyRead(in, "INSTALL_SNAPSHOT_REQUEST");
        try {
            return new InstallSnapshotRequest(from, to, term, new LogId(snapshotTerm, snapshotIndex), membership,
                    offset, data, flags == DONE);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid INSTALL_SNAPSHOT_REQUEST", e);
        }
    }

    static void encodeResponse(InstallSnapshotResponse m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.snapshot().term());
        out.writeLong(m.snapshot().index());
        out.writeLong(m.nextOffset());
        out.writeByte(m.done() ? DONE : 0);
        out.writeLong(m.matchIndex());
    }

    static InstallSnapshotResponse decodeResponse(ByteBuf in) {
        WireFormat.require(in, RESPONSE_BODY_BYTES, "INSTALL_SNAPSHOT_RESPONSE body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long snapshotTerm = in.readLong();
        long snapshotIndex = in.readLong();
        long nextOffset = in.readLong();
        int flags = in.readUnsignedByte();
        long matchIndex = in.readLong();
        WireFormat.requireFullyRead(in, "INSTALL_SNAPSHOT_RESPONSE");
        if ((flags & ~DONE) != 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_RESPONSE has unknown flags " + flags);
        }
        if (snapshotTerm < 0 || snapshotIndex < 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_RESPONSE has invalid snapshot id " + snapshotTerm
                    + "-" + snapshotIndex);
        }
        if (nextOffset < 0 || matchIndex < 0) {
            throw new MalformedFrameException("INSTALL_SNAPSHOT_RESPONSE has negative nextOffset " + nextOffset
                    + " or matchIndex " + matchIndex);
        }
        try {
            return new InstallSnapshotResponse(from, to, term, new LogId(snapshotTerm, snapshotIndex), nextOffset,
                    flags == DONE, matchIndex);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid INSTALL_SNAPSHOT_RESPONSE", e);
        }
    }
}
