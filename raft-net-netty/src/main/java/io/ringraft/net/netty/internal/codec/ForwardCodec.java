package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.LogId;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.ForwardProposalResult.Outcome;

/**
 * Bodies of {@link ForwardProposal} (a follower hands a client command to the leader) and
 * {@link ForwardProposalResult} (the leader's answer).
 *
 * <pre>
 * FORWARD_PROPOSAL        (44 bytes + command): from:i64 to:i64 term:i64 requestId:i64
 *                         budgetNanos:i64 (0: no deadline) commandLength:i32 command[commandLength]
 * FORWARD_PROPOSAL_RESULT (57 bytes): from:i64 to:i64 term:i64 requestId:i64
 *                         outcome:u8 (1 APPENDED, 2 NOT_LEADER, 3 BUSY, 4 TOO_LARGE, 5 EXPIRED)
 *                         entryTerm:i64 entryIndex:i64 leaderHint:i64
 * </pre>
 *
 * <p>The outcome codes are fixed here, independent of the enum's declaration order; 0 and 6..255
 * are rejected. The receiver's arrival stamp of a proposal is not sent. Decoding copies the command into a fresh array that the message owns (the frame is
 * released right after decoding).
 */
final class ForwardCodec {

    /** The proposal body without its command bytes. */
    static final int PROPOSAL_FIXED_BYTES = 5 * Long.BYTES + Integer.BYTES;
    static final int RESULT_BODY_BYTES = 4 * Long.BYTES + 1 + 3 * Long.BYTES;

    private static final int APPENDED = 1;
    private static final int NOT_LEADER = 2;
    private static final int BUSY = 3;
    private static final int TOO_LARGE = 4;
    private static final int EXPIRED = 5;

    private ForwardCodec() {
    }

    /** Body size of {@code m}; a long, as a command of any size is representable. */
    static long proposalBodyBytes(ForwardProposal m) {
        return PROPOSAL_FIXED_BYTES + (long) m.command().length;
    }

    /** Why {@code m} cannot be sent in a frame of at most {@code maxFrameBytes}, or null if it can. */
    static String unsendableReason(ForwardProposal m, int maxFrameBytes) {
        long frame = WireFormat.HEADER_BYTES + proposalBodyBytes(m);
        if (frame > maxFrameBytes) {
            return "its frame of " + frame + " bytes (" + m.command().length + " command) exceeds maxFrameBytes "
                    + maxFrameBytes;
        }
        return null;
    }

    static void encodeProposal(ForwardProposal m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.requestId());
        out.writeLong(m.budgetNanos());
        out.writeInt(m.command().length);
        out.writeBytes(m.command());
    }

    static ForwardProposal decodeProposal(ByteBuf in) {
        WireFormat.require(in, PROPOSAL_FIXED_BYTES, "FORWARD_PROPOSAL body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long requestId = in.readLong();
        long budgetNanos = in.readLong();
        int commandLength = in.readInt();
        int room = in.readableBytes();
        if (commandLength < 0 || commandLength > room) {
            throw new MalformedFrameException("FORWARD_PROPOSAL claims " + commandLength + " command bytes, frame has "
                    + room);
        }
        if (commandLength != room) {
            throw new MalformedFrameException("FORWARD_PROPOSAL has " + (room - commandLength) + " trailing bytes");
        }
        byte[] command = new byte[commandLength];
        in.readBytes(command);
        WireFormat.requireFullyRead(in, "FORWARD_PROPOSAL");
        try {
            return new ForwardProposal(from, to, term, requestId, command, budgetNanos, 0);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid FORWARD_PROPOSAL", e);
        }
    }

    static void encodeResult(ForwardProposalResult m, ByteBuf out) {
        out.writeLong(m.from());
        out.writeLong(m.to());
        out.writeLong(m.term());
        out.writeLong(m.requestId());
        out.writeByte(code(m.outcome()));
        out.writeLong(m.entry().term());
        out.writeLong(m.entry().index());
        out.writeLong(m.leaderHint());
    }

    static ForwardProposalResult decodeResult(ByteBuf in) {
        WireFormat.require(in, RESULT_BODY_BYTES, "FORWARD_PROPOSAL_RESULT body");
        long from = in.readLong();
        long to = in.readLong();
        long term = in.readLong();
        long requestId = in.readLong();
        int outcomeCode = in.readUnsignedByte();
        long entryTerm = in.readLong();
        long entryIndex = in.readLong();
        long leaderHint = in.readLong();
        WireFormat.requireFullyRead(in, "FORWARD_PROPOSAL_RESULT");
        Outcome outcome = outcome(outcomeCode);
        if (entryTerm < 0 || entryIndex < 0) {
            throw new MalformedFrameException("FORWARD_PROPOSAL_RESULT has invalid entry id " + entryTerm + "-"
                    + entryIndex);
        }
        if (leaderHint < 0) {
            throw new MalformedFrameException("FORWARD_PROPOSAL_RESULT has negative leaderHint " + leaderHint);
        }
        try {
            return new ForwardProposalResult(from, to, term, requestId, outcome, new LogId(entryTerm, entryIndex),
                    leaderHint);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("invalid FORWARD_PROPOSAL_RESULT", e);
        }
    }

    private static int code(Outcome outcome) {
        return switch (outcome) {
            case APPENDED -> APPENDED;
            case NOT_LEADER -> NOT_LEADER;
            case BUSY -> BUSY;
            case TOO_LARGE -> TOO_LARGE;
            case EXPIRED -> EXPIRED;
        };
    }

    private static Outcome outcome(int code) {
        return switch (code) {
            case APPENDED -> Outcome.APPENDED;
            case NOT_LEADER -> Outcome.NOT_LEADER;
            case BUSY -> Outcome.BUSY;
            case TOO_LARGE -> Outcome.TOO_LARGE;
            case EXPIRED -> Outcome.EXPIRED;
            default -> throw new MalformedFrameException("FORWARD_PROPOSAL_RESULT has unknown outcome " + code);
        };
    }
}
