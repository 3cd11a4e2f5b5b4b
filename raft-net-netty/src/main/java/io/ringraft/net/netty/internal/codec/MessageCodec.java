package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;

/**
 * Encodes Raft messages into frames and decodes frames into messages, dispatching on the message
 * type to the codec of each message family ({@link VoteCodec}, {@link AppendCodec},
 * {@link ControlCodec}, {@link ForwardCodec}, {@link SnapshotCodec}, {@link BatchCodec}). Stateless and thread-safe; no reflection, no Java
 * serialization.
 */
public final class MessageCodec {

    private MessageCodec() {
    }

    /**
     * Encodes {@code message} of group {@code groupId} into a new buffer from {@code alloc} (a pooled
     * direct one on a channel), the frame without its length prefix. An AppendEntries whose entries
     * do not all fit in {@code maxFrameBytes} carries the longest prefix that fits (a valid,
     * shorter request: the follower acknowledges what it got and the leader sends the rest). A
     * snapshot chunk or a forwarded command cannot be cut: one that does not fit is not encoded
     * (see {@link #unsendableReason}).
     *
     * @return the frame, owned by the caller; null if not even the first entry of an AppendEntries
     *         fits in {@code maxFrameBytes}, or an InstallSnapshot chunk, a ForwardProposal or a
     *         heartbeat batch does not fit
     */
    public static ByteBuf encode(ByteBufAllocator alloc, long groupId, RaftMessage message, int maxFrameBytes) {
        if (message instanceof AppendEntriesRequest m) {
            return encodeAppend(alloc, groupId, m, maxFrameBytes);
        }
        if (message instanceof AppendEntriesResponse m) {
            ByteBuf out = header(alloc, groupId, WireFormat.APPEND_ENTRIES_RESPONSE, AppendCodec.RESPONSE_BODY_BYTES);
            AppendCodec.encodeResponse(m, out);
            return out;
        }
        if (message instanceof InstallSnapshotRequest m) {
            if (SnapshotCodec.unsendableReason(m, maxFrameBytes) != null) {
                return null;
            }
            ByteBuf out = header(alloc, groupId, WireFormat.INSTALL_SNAPSHOT_REQUEST,
                    Math.toIntExact(SnapshotCodec.requestBodyBytes(m)));
            SnapshotCodec.encodeRequest(m, out);
            return out;
        }
        if (message instanceof InstallSnapshotResponse m) {
            ByteBuf out = header(alloc, groupId, WireFormat.INSTALL_SNAPSHOT_RESPONSE,
                    SnapshotCodec.RESPONSE_BODY_BYTES);
            SnapshotCodec.encodeResponse(m, out);
            return out;
        }
        if (message instanceof ForwardProposal m) {
            if (ForwardCodec.unsendableReason(m, maxFrameBytes) != null) {
                return null;
            }
            ByteBuf out = header(alloc, groupId, WireFormat.FORWARD_PROPOSAL,
                    Math.toIntExact(ForwardCodec.proposalBodyBytes(m)));
            ForwardCodec.encodeProposal(m, out);
            return out;
        }
        if (message instanceof ForwardProposalResult m) {
            ByteBuf out = header(alloc, groupId, WireFormat.FORWARD_PROPOSAL_RESULT, ForwardCodec.RESULT_BODY_BYTES);
            ForwardCodec.encodeResult(m, out);
            return out;
        }
        if (message instanceof HeartbeatBatch m) {
            int body = BatchCodec.heartbeatsBodyBytes(m);
            if (BatchCodec.unsendableReason(body, m.size(), maxFrameBytes) != null) {
                return null;
            }
            ByteBuf out = header(alloc, groupId, WireFormat.HEARTBEAT_BATCH, body);
            BatchCodec.encodeHeartbeats(m, out);
            return out;
        }
        if (message instanceof HeartbeatBatchResponse m) {
            int body = BatchCodec.answersBodyBytes(m);
            if (BatchCodec.unsendableReason(body, m.size(), maxFrameBytes) != null) {
                return null;
            }
            ByteBuf out = header(alloc, groupId, WireFormat.HEARTBEAT_BATCH_RESPONSE, body);
            BatchCodec.encodeAnswers(m, out);
            return out;
        }
        if (message instanceof VoteRequest m) {
            ByteBuf out = header(alloc, groupId, WireFormat.VOTE_REQUEST, VoteCodec.REQUEST_BODY_BYTES);
            VoteCodec.encodeRequest(m, out);
            return out;
        }
        if (message instanceof VoteResponse m) {
            ByteBuf out = header(alloc, groupId, WireFormat.VOTE_RESPONSE, VoteCodec.RESPONSE_BODY_BYTES);
            VoteCodec.encodeResponse(m, out);
            return out;
        }
        byte type = ControlCodec.typeOf(message);
        if (type == 0) {
            throw new IllegalArgumentException("no wire encoding for " + message.getClass().getName());
        }
        ByteBuf out = header(alloc, groupId, type, ControlCodec.bodyBytes(type));
        ControlCodec.encode(message, out);
        return out;
    }

    private static ByteBuf encodeAppend(ByteBufAllocator alloc, long groupId, AppendEntriesRequest m, int maxFrameBytes) {
        int maxBody = maxFrameBytes - WireFormat.HEADER_BYTES;
        int count = AppendCodec.fittingEntries(m.entries(), maxBody);
        if (count == 0 && m.entries().count() > 0) {
            return null;
        }
        ByteBuf out = header(alloc, groupId, WireFormat.APPEND_ENTRIES_REQUEST, AppendCodec.requestBodyBytes(m.entries(), count));
        try {
            AppendCodec.encodeRequest(m, count, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * The largest entry payload a frame of {@code maxFrameBytes} carries: alone in an AppendEntries
     * (header, fixed fields, one entry header) or as a forwarded command, whichever frames more.
     */
    public static int maxEntryPayloadBytes(int maxFrameBytes) {
        int appendOverhead = WireFormat.HEADER_BYTES + AppendCodec.REQUEST_FIXED_BYTES + AppendCodec.ENTRY_HEADER_BYTES;
        int forwardOverhead = WireFormat.HEADER_BYTES + ForwardCodec.PROPOSAL_FIXED_BYTES;
        return maxFrameBytes - Math.max(appendOverhead, forwardOverhead);
    }

    /** How many entries of {@code request} {@link #encode} puts in a frame of {@code maxFrameBytes}. */
    public static int entriesFitting(AppendEntriesRequest request, int maxFrameBytes) {
        return AppendCodec.fittingEntries(request.entries(), maxFrameBytes - WireFormat.HEADER_BYTES);
    }

    /**
     * Why {@link #encode} cannot put {@code message} in a frame of {@code maxFrameBytes}, or null
     * if it can. Only an InstallSnapshot chunk, a ForwardProposal and a heartbeat batch can be
     * unsendable this way: a chunk's data plus membership exceed the frame, or its membership exceeds
     * what a receiver accepts (64 KiB); a forwarded command or a batch exceeds the frame. (An AppendEntries is cut to the
     * entries that fit instead: see {@link #entriesFitting}.)
     */
    public static String unsendableReason(RaftMessage message, int maxFrameBytes) {
        if (message instanceof InstallSnapshotRequest m) {
            return SnapshotCodec.unsendableReason(m, maxFrameBytes);
        }
        if (message instanceof ForwardProposal m) {
            return ForwardCodec.unsendableReason(m, maxFrameBytes);
        }
        if (message instanceof HeartbeatBatch m) {
            return BatchCodec.unsendableReason(BatchCodec.heartbeatsBodyBytes(m), m.size(), maxFrameBytes);
        }
        if (message instanceof HeartbeatBatchResponse m) {
            return BatchCodec.unsendableReason(BatchCodec.answersBodyBytes(m), m.size(), maxFrameBytes);
        }
        return null;
    }

    private static ByteBuf header(ByteBufAllocator alloc, long groupId, byte type, int bodyBytes) {
        int size = WireFormat.HEADER_BYTES + bodyBytes;
        ByteBuf out = alloc.directBuffer(size, size);
        WireFormat.writeHeader(out, WireFormat.VERSION, type, groupId);
        return out;
    }

    /**
     * Decodes one frame (without its length prefix). Reads {@code frame} but does not release it.
     *
     * <p>An AppendEntries with entries keeps a reference to {@code frame}'s memory (its entries are a
     * {@link WireLogEntries} view, no copy): the caller owns the decoded message and must pass it to
     * {@link io.ringraft.message.Releasable#release(RaftMessage)} once, or hand it to a node that
     * accepts it (which then releases it). {@code frame} itself is released by the caller as before.
     *
     * @throws MalformedFrameException if the frame is not a well-formed message of the supported
     *         version, including handshake frames (which are not expected after the handshake)
     */
    public static RoutedMessage decode(ByteBuf frame) {
        WireFormat.require(frame, WireFormat.HEADER_BYTES, "frame header");
        byte version = frame.readByte();
        byte type = frame.readByte();
        long groupId = frame.readLong();
        if (version != WireFormat.VERSION) {
            throw new MalformedFrameException("frame of protocol version " + version + ", connection speaks "
                    + WireFormat.VERSION);
        }
        RaftMessage message = switch (type) {
            case WireFormat.VOTE_REQUEST -> VoteCodec.decodeRequest(frame);
            case WireFormat.VOTE_RESPONSE -> VoteCodec.decodeResponse(frame);
            case WireFormat.APPEND_ENTRIES_REQUEST -> AppendCodec.decodeRequest(frame);
            case WireFormat.APPEND_ENTRIES_RESPONSE -> AppendCodec.decodeResponse(frame);
            case WireFormat.READ_INDEX_REQUEST, WireFormat.READ_INDEX_RESPONSE, WireFormat.LEADERSHIP_PROBE,
                    WireFormat.LEADERSHIP_PROBE_ACK, WireFormat.TIMEOUT_NOW, WireFormat.QUIESCE ->
                    ControlCodec.decode(type, frame);
            case WireFormat.FORWARD_PROPOSAL -> ForwardCodec.decodeProposal(frame);
            case WireFormat.FORWARD_PROPOSAL_RESULT -> ForwardCodec.decodeResult(frame);
            case WireFormat.HEARTBEAT_BATCH -> BatchCodec.decodeHeartbeats(groupId, frame);
            case WireFormat.HEARTBEAT_BATCH_RESPONSE -> BatchCodec.decodeAnswers(groupId, frame);
            case WireFormat.INSTALL_SNAPSHOT_REQUEST -> SnapshotCodec.decodeRequest(frame);
            case WireFormat.INSTALL_SNAPSHOT_RESPONSE -> SnapshotCodec.decodeResponse(frame);
            default -> throw new MalformedFrameException("unexpected frame " + WireFormat.typeName(type));
        };
        return new RoutedMessage(groupId, message);
    }

    /**
     * True for the small messages that keep a cluster alive: votes, responses (snapshot chunk
     * acknowledgements and forwarded-proposal results included) and heartbeats. AppendEntries with
     * entries, every snapshot chunk and every ForwardProposal (it carries a client command, like an
     * entry's payload; even an empty one, as for chunks) are bulk data.
     */
    public static boolean isControl(RaftMessage message) {
        if (message instanceof InstallSnapshotRequest || message instanceof ForwardProposal) {
            return false;
        }
        return !(message instanceof AppendEntriesRequest request) || request.entries().count() == 0;
    }
}
