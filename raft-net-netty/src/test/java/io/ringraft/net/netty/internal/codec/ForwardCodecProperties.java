package io.ringraft.net.netty.internal.codec;

import static io.ringraft.net.netty.internal.codec.Frames.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringraft.api.LogId;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.ForwardProposalResult.Outcome;
import io.ringraft.message.RaftMessage;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * FORWARD_PROPOSAL (25) and FORWARD_PROPOSAL_RESULT (26): every message survives encode and decode
 * unchanged, a command that does not fit a frame is not encoded, and every malformed body is
 * rejected with a {@link MalformedFrameException}.
 */
class ForwardCodecProperties {

    private static final int MAX_FRAME = 64 * 1024;
    private static final ByteBufAllocator[] ALLOCATORS = {
            ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT};

    // frame offsets (header 10 bytes, then the body as in docs/transport.md), both frames
    private static final int FROM = 10;
    private static final int TO = 18;
    private static final int TERM = 26;
    private static final int REQUEST_ID = 34;
    // the proposal's
    private static final int BUDGET = 42;
    private static final int COMMAND_LENGTH = 50;
    private static final int COMMAND = 54;
    // the result's
    private static final int OUTCOME = 42;
    private static final int ENTRY_TERM = 43;
    private static final int ENTRY_INDEX = 51;
    private static final int LEADER_HINT = 59;

    @Provide
    Arbitrary<ForwardProposal> forwardProposals() {
        return TestMessages.forwardProposals();
    }

    @Provide
    Arbitrary<ForwardProposalResult> forwardResults() {
        return TestMessages.forwardResults();
    }

    @Property(tries = 300)
    void proposalsRoundTrip(@ForAll("forwardProposals") ForwardProposal message, @ForAll long groupId) {
        assertRoundTrip(groupId, message, MAX_FRAME);
    }

    @Property(tries = 300)
    void resultsRoundTrip(@ForAll("forwardResults") ForwardProposalResult message, @ForAll long groupId) {
        assertRoundTrip(groupId, message, MAX_FRAME);
    }

    @Example
    void edgeCasesRoundTrip() {
        long max = Long.MAX_VALUE;
        // an empty command; request ids are the follower's business: any value crosses
        assertRoundTrip(1, new ForwardProposal(1, 2, 0, 0, new byte[0]), MAX_FRAME);
        assertRoundTrip(-1, new ForwardProposal(max, max, max, Long.MIN_VALUE, new byte[] {-1}), MAX_FRAME);
        assertRoundTrip(Long.MIN_VALUE, new ForwardProposal(1, max, 3, -1, new byte[] {1, 2, 3}), MAX_FRAME);
        assertRoundTrip(0, new ForwardProposal(2, 1, 3, max, new byte[1000]), MAX_FRAME);
        for (Outcome outcome : Outcome.values()) {
            assertRoundTrip(7, new ForwardProposalResult(1, 2, 3, 4, outcome, LogId.ZERO, 0), MAX_FRAME);
            assertRoundTrip(7, new ForwardProposalResult(max, max, max, Long.MIN_VALUE, outcome, new LogId(max, max),
                    max), MAX_FRAME);
        }
        assertRoundTrip(7, new ForwardProposalResult(2, 1, 9, 42, Outcome.APPENDED, new LogId(9, 1234), 0), MAX_FRAME);
        assertRoundTrip(7, new ForwardProposalResult(2, 1, 9, 42, Outcome.NOT_LEADER, LogId.ZERO, 3), MAX_FRAME);
    }

    @Example
    void aOneMebibyteCommandRoundTripsInTheDefaultFrame() {
        assertRoundTrip(5, proposal(1 << 20), DEFAULT_MAX_FRAME);
    }

    @Example
    void aCommandOfExactlyTheMaximumFrameFitsAndOneByteMoreIsNotEncoded() {
        int overhead = WireFormat.HEADER_BYTES + ForwardCodec.PROPOSAL_FIXED_BYTES;
        assertThat(overhead).isEqualTo(54); // as documented
        ForwardProposal exact = proposal(DEFAULT_MAX_FRAME - overhead);
        assertThat(MessageCodec.unsendableReason(exact, DEFAULT_MAX_FRAME)).isNull();
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, exact, DEFAULT_MAX_FRAME);
        try {
            assertThat(frame.readableBytes()).isEqualTo(DEFAULT_MAX_FRAME);
            TestMessages.assertSame(MessageCodec.decode(frame).message(), exact);
        } finally {
            frame.release();
        }
        ForwardProposal tooLarge = proposal(DEFAULT_MAX_FRAME - overhead + 1);
        assertThat(MessageCodec.unsendableReason(tooLarge, DEFAULT_MAX_FRAME))
                .contains("exceeds maxFrameBytes " + DEFAULT_MAX_FRAME);
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, tooLarge, DEFAULT_MAX_FRAME)).isNull();
    }

    @Example
    void proposalsAreBulkDataAndResultsAreControlMessages() {
        assertThat(MessageCodec.isControl(proposal(100))).isFalse();
        assertThat(MessageCodec.isControl(proposal(0))).isFalse();
        for (Outcome outcome : Outcome.values()) {
            ForwardProposalResult result = new ForwardProposalResult(2, 1, 3, 4, outcome, LogId.ZERO, 0);
            assertThat(MessageCodec.isControl(result)).isTrue();
            assertThat(MessageCodec.unsendableReason(result, MAX_FRAME)).isNull();
        }
    }

    @Example
    void frameSizesMatchTheDocumentedLayout() {
        // docs/transport.md: header 10 bytes; bodies 44 + command, and 57
        assertThat(frameSize(proposal(0))).isEqualTo(10 + 44);
        assertThat(frameSize(proposal(100))).isEqualTo(10 + 44 + 100);
        assertThat(frameSize(new ForwardProposalResult(2, 1, 3, 4, Outcome.BUSY, LogId.ZERO, 0))).isEqualTo(10 + 57);
        ByteBuf frame = encode(new ForwardProposal(1, 2, 3, 77, new byte[] {6, 7, 8}));
        try {
            assertThat(frame.getByte(1)).isEqualTo((byte) 25);
            assertThat(frame.getLong(FROM)).isEqualTo(1);
            assertThat(frame.getLong(TO)).isEqualTo(2);
            assertThat(frame.getLong(TERM)).isEqualTo(3);
            assertThat(frame.getLong(REQUEST_ID)).isEqualTo(77);
            assertThat(frame.getLong(BUDGET)).isZero();
            assertThat(frame.getInt(COMMAND_LENGTH)).isEqualTo(3);
            assertThat(frame.getByte(COMMAND + 2)).isEqualTo((byte) 8);
        } finally {
            frame.release();
        }
        ByteBuf result = encode(new ForwardProposalResult(2, 1, 3, 77, Outcome.APPENDED, new LogId(3, 1000), 0));
        try {
            assertThat(result.getByte(1)).isEqualTo((byte) 26);
            assertThat(result.getLong(REQUEST_ID)).isEqualTo(77);
            assertThat(result.getByte(OUTCOME)).isEqualTo((byte) 1);
            assertThat(result.getLong(ENTRY_TERM)).isEqualTo(3);
            assertThat(result.getLong(ENTRY_INDEX)).isEqualTo(1000);
            assertThat(result.getLong(LEADER_HINT)).isZero();
        } finally {
            result.release();
        }
        // the outcome codes are fixed on the wire, whatever the enum's order
        assertThat(outcomeByte(Outcome.APPENDED)).isEqualTo(1);
        assertThat(outcomeByte(Outcome.NOT_LEADER)).isEqualTo(2);
        assertThat(outcomeByte(Outcome.BUSY)).isEqualTo(3);
        assertThat(outcomeByte(Outcome.TOO_LARGE)).isEqualTo(4);
    }

    @Example
    void theDecodedCommandIsACopyThatOutlivesTheFrame() {
        byte[] command = {1, 2, 3, 4};
        ByteBuf frame = encode(new ForwardProposal(1, 2, 3, 4, command));
        ForwardProposal decoded;
        try {
            decoded = (ForwardProposal) MessageCodec.decode(frame).message();
            frame.setByte(COMMAND, 99);
        } finally {
            frame.release();
        }
        assertThat(decoded.command()).isNotSameAs(command).containsExactly(1, 2, 3, 4);
    }

    // ---- malformed frames

    @Example
    void everyTruncationIsRejected() {
        for (RaftMessage message : new RaftMessage[] {
                new ForwardProposal(1, 2, 3, 4, new byte[] {6, 7, 8}), new ForwardProposal(1, 2, 3, 4, new byte[0]),
                new ForwardProposalResult(2, 1, 3, 4, Outcome.APPENDED, new LogId(3, 9), 0)}) {
            ByteBuf frame = encode(message);
            try {
                for (int length = 0; length < frame.readableBytes(); length++) {
                    ByteBuf cut = frame.retainedSlice(0, length);
                    try {
                        assertThatThrownBy(() -> MessageCodec.decode(cut)).as("%s cut to %d bytes", message, length)
                                .isInstanceOf(MalformedFrameException.class);
                    } finally {
                        cut.release();
                    }
                }
            } finally {
                frame.release();
            }
        }
    }

    @Example
    void trailingBytesAreRejected() {
        assertMalformed(withExtraByte(encode(proposal(10))), "FORWARD_PROPOSAL has 1 trailing bytes");
        assertMalformed(withExtraByte(encode(proposal(0))), "FORWARD_PROPOSAL has 1 trailing bytes");
        assertMalformed(withExtraByte(encode(new ForwardProposalResult(2, 1, 3, 4, Outcome.BUSY, LogId.ZERO, 0))),
                "FORWARD_PROPOSAL_RESULT has 1 trailing bytes");
    }

    @Example
    void commandLengthsOutsideTheFrameAreRejected() {
        for (int claimed : new int[] {-1, Integer.MIN_VALUE, 11, 1 << 20, Integer.MAX_VALUE}) {
            ByteBuf frame = encode(proposal(10));
            frame.setInt(COMMAND_LENGTH, claimed);
            assertMalformed(frame, "claims " + claimed + " command bytes, frame has 10");
        }
        ByteBuf shorter = encode(proposal(10));
        shorter.setInt(COMMAND_LENGTH, 9);
        assertMalformed(shorter, "1 trailing bytes");
        ByteBuf empty = encode(proposal(10));
        empty.setInt(COMMAND_LENGTH, 0);
        assertMalformed(empty, "10 trailing bytes");
    }

    @Example
    void badProposalHeadersAreRejected() {
        assertMalformed(patchLong(encode(proposal(3)), FROM, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(proposal(3)), TO, -7), "node ids must be positive");
        assertMalformed(patchLong(encode(proposal(3)), TERM, -1), "invalid FORWARD_PROPOSAL");
    }

    @Example
    void unknownOutcomesAreRejected() {
        for (int code : new int[] {0, 6, 7, 0x7F, 0x80, 0xFF}) {
            ByteBuf frame = encode(new ForwardProposalResult(2, 1, 3, 4, Outcome.APPENDED, new LogId(3, 9), 0));
            frame.setByte(OUTCOME, code);
            assertMalformed(frame, "FORWARD_PROPOSAL_RESULT has unknown outcome " + code);
        }
    }

    @Example
    void badResultsAreRejected() {
        ForwardProposalResult valid = new ForwardProposalResult(2, 1, 3, 4, Outcome.NOT_LEADER, LogId.ZERO, 5);
        assertMalformed(patchLong(encode(valid), ENTRY_TERM, -1), "invalid entry id -1-0");
        assertMalformed(patchLong(encode(valid), ENTRY_INDEX, Long.MIN_VALUE), "invalid entry id");
        assertMalformed(patchLong(encode(valid), LEADER_HINT, -1), "negative leaderHint -1");
        assertMalformed(patchLong(encode(valid), LEADER_HINT, Long.MIN_VALUE), "negative leaderHint");
        assertMalformed(patchLong(encode(valid), FROM, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(valid), TO, -3), "node ids must be positive");
        assertMalformed(patchLong(encode(valid), TERM, -2), "invalid FORWARD_PROPOSAL_RESULT");
    }

    @Example
    void theRemainingTypesBeforeTheSnapshotRangeAreStillUnknown() {
        // (27 and 28 are the host-level heartbeat batches, see BatchCodecProperties; 29 is QUIESCE)
        for (int type = 30; type <= 31; type++) {
            ByteBuf frame = encode(new ForwardProposalResult(2, 1, 3, 4, Outcome.BUSY, LogId.ZERO, 0));
            frame.setByte(1, type);
            assertMalformed(frame, "unexpected frame type " + type);
        }
    }

    @Example
    void aProposalFrameWithAResultTypeIsRejectedAndViceVersa() {
        ByteBuf proposal = encode(proposal(57 - 44)); // a body as long as a result's
        proposal.setByte(1, WireFormat.FORWARD_PROPOSAL_RESULT);
        // read as a result, the outcome is the command length's high byte: 0, an unknown outcome
        assertThat(proposal.getByte(OUTCOME)).isZero();
        assertMalformed(proposal, "unknown outcome 0");
        ByteBuf result = encode(new ForwardProposalResult(2, 1, 3, 4, Outcome.BUSY, LogId.ZERO, 0));
        result.setByte(1, WireFormat.FORWARD_PROPOSAL);
        // read as a proposal, the command length (body offset 40) falls in the zero high bytes of the entry's
        // index: an empty command, and 13 bytes left over
        assertMalformed(result, "FORWARD_PROPOSAL has 13 trailing bytes");
    }

    // ---- helpers

    /** A proposal of {@code commandBytes} random bytes. */
    private static ForwardProposal proposal(int commandBytes) {
        byte[] command = new byte[commandBytes];
        new Random(commandBytes).nextBytes(command);
        return new ForwardProposal(1, 2, 3, 17, command);
    }

    private static int outcomeByte(Outcome outcome) {
        ByteBuf frame = encode(new ForwardProposalResult(2, 1, 3, 4, outcome, LogId.ZERO, 0));
        try {
            return frame.getUnsignedByte(OUTCOME);
        } finally {
            frame.release();
        }
    }

    private static void assertRoundTrip(long groupId, RaftMessage message, int maxFrame) {
        for (ByteBufAllocator allocator : ALLOCATORS) {
            ByteBuf frame = MessageCodec.encode(allocator, groupId, message, maxFrame);
            try {
                assertThat(frame.isDirect()).isTrue();
                assertThat(frame.getByte(0)).isEqualTo(WireFormat.VERSION);
                RoutedMessage decoded = MessageCodec.decode(frame);
                assertThat(frame.isReadable()).isFalse();
                assertThat(decoded.groupId()).isEqualTo(groupId);
                TestMessages.assertSame(decoded.message(), message);
                if (message instanceof ForwardProposal sent) {
                    assertThat(((ForwardProposal) decoded.message()).command()).isNotSameAs(sent.command());
                }
            } finally {
                frame.release();
            }
            assertThat(frame.refCnt()).isZero();
        }
    }
}
