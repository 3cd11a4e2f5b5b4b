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
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.RaftMessage;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * INSTALL_SNAPSHOT_REQUEST (32) and INSTALL_SNAPSHOT_RESPONSE (33): every message survives encode
 * and decode unchanged, a chunk that does not fit a frame is not encoded, and every malformed body
 * is rejected with a {@link MalformedFrameException}.
 */
class SnapshotCodecProperties {

    private static final int MAX_FRAME = 64 * 1024;
    private static final ByteBufAllocator[] ALLOCATORS = {
            ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT};

    // frame offsets of the request's fields (header 10 bytes, then the body as in docs/transport.md)
    private static final int FROM = 10;
    private static final int TO = 18;
    private static final int TERM = 26;
    private static final int SNAPSHOT_TERM = 34;
    private static final int SNAPSHOT_INDEX = 42;
    private static final int OFFSET = 50;
    private static final int FLAGS = 58;
    private static final int MEMBERSHIP_LENGTH = 59;
    private static final int MEMBERSHIP = 63;
    // and of the response's
    private static final int NEXT_OFFSET = 50;
    private static final int RESPONSE_FLAGS = 58;
    private static final int MATCH_INDEX = 59;

    @Provide
    Arbitrary<InstallSnapshotRequest> snapshotRequests() {
        return TestMessages.snapshotRequests();
    }

    @Provide
    Arbitrary<InstallSnapshotResponse> snapshotResponses() {
        return TestMessages.snapshotResponses();
    }

    @Property(tries = 300)
    void requestsRoundTrip(@ForAll("snapshotRequests") InstallSnapshotRequest message, @ForAll long groupId) {
        assertRoundTrip(groupId, message, MAX_FRAME);
    }

    @Property(tries = 300)
    void responsesRoundTrip(@ForAll("snapshotResponses") InstallSnapshotResponse message, @ForAll long groupId) {
        assertRoundTrip(groupId, message, MAX_FRAME);
    }

    @Example
    void edgeCasesRoundTrip() {
        long max = Long.MAX_VALUE;
        byte[] none = new byte[0];
        // an empty snapshot: one chunk, no data, done
        assertRoundTrip(1, new InstallSnapshotRequest(1, 2, 3, new LogId(3, 10), new byte[] {1, 2, 3}, 0, none, true),
                MAX_FRAME);
        // not done, empty membership and data
        assertRoundTrip(2, new InstallSnapshotRequest(1, 2, 0, LogId.ZERO, none, 0, none, false), MAX_FRAME);
        // the largest values every field can hold
        assertRoundTrip(-1, new InstallSnapshotRequest(max, max, max, new LogId(max, max), none, max, none, true),
                MAX_FRAME);
        assertRoundTrip(-1, new InstallSnapshotRequest(max, 1, max, new LogId(max, max), new byte[] {9}, max - 1,
                new byte[] {7}, false), MAX_FRAME);
        assertRoundTrip(Long.MIN_VALUE, InstallSnapshotResponse.progress(1, 2, 3, new LogId(2, 50), 0), MAX_FRAME);
        assertRoundTrip(0, InstallSnapshotResponse.progress(max, max, max, new LogId(max, max), max), MAX_FRAME);
        assertRoundTrip(0, InstallSnapshotResponse.installed(2, 1, 3, new LogId(2, 50), 77), MAX_FRAME);
        assertRoundTrip(0, new InstallSnapshotResponse(2, 1, max, new LogId(max, max), max, true, max), MAX_FRAME);
    }

    @Example
    void aOneMebibyteChunkRoundTripsInTheDefaultFrame() {
        assertRoundTrip(5, chunk(1 << 20, 300), DEFAULT_MAX_FRAME);
    }

    @Example
    void aChunkOfExactlyTheMaximumFrameFitsAndOneByteMoreIsNotEncoded() {
        int overhead = WireFormat.HEADER_BYTES + SnapshotCodec.REQUEST_FIXED_BYTES;
        assertThat(overhead).isEqualTo(67); // as documented
        InstallSnapshotRequest exact = chunk(DEFAULT_MAX_FRAME - overhead - 1000, 1000);
        assertThat(MessageCodec.unsendableReason(exact, DEFAULT_MAX_FRAME)).isNull();
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, exact, DEFAULT_MAX_FRAME);
        try {
            assertThat(frame.readableBytes()).isEqualTo(DEFAULT_MAX_FRAME);
            TestMessages.assertSame(MessageCodec.decode(frame).message(), exact);
        } finally {
            frame.release();
        }
        InstallSnapshotRequest tooLarge = chunk(DEFAULT_MAX_FRAME - overhead - 1000 + 1, 1000);
        assertThat(MessageCodec.unsendableReason(tooLarge, DEFAULT_MAX_FRAME))
                .contains("exceeds maxFrameBytes " + DEFAULT_MAX_FRAME);
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, tooLarge, DEFAULT_MAX_FRAME)).isNull();
        // the membership counts too
        InstallSnapshotRequest withMembership = chunk(DEFAULT_MAX_FRAME - overhead - 1000, 1001);
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, withMembership, DEFAULT_MAX_FRAME)).isNull();
    }

    @Example
    void aMembershipOverTheLimitIsNotEncodedEvenIfTheFrameWouldFit() {
        InstallSnapshotRequest largest = chunk(10, SnapshotCodec.MAX_MEMBERSHIP_BYTES);
        assertRoundTrip(1, largest, DEFAULT_MAX_FRAME);
        InstallSnapshotRequest over = chunk(10, SnapshotCodec.MAX_MEMBERSHIP_BYTES + 1);
        assertThat(MessageCodec.unsendableReason(over, DEFAULT_MAX_FRAME)).contains("membership of 65537 bytes");
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, 1, over, DEFAULT_MAX_FRAME)).isNull();
    }

    @Example
    void chunksAreBulkDataAndTheirAcknowledgementsAreControlMessages() {
        assertThat(MessageCodec.isControl(chunk(100, 10))).isFalse();
        assertThat(MessageCodec.isControl(chunk(0, 10))).isFalse();
        assertThat(MessageCodec.isControl(InstallSnapshotResponse.progress(2, 1, 3, new LogId(3, 9), 100))).isTrue();
        assertThat(MessageCodec.unsendableReason(InstallSnapshotResponse.progress(2, 1, 3, new LogId(3, 9), 100),
                MAX_FRAME)).isNull();
    }

    @Example
    void frameSizesMatchTheDocumentedLayout() {
        // docs/transport.md: header 10 bytes; bodies 57 + membership + data, and 57
        assertThat(frameSize(chunk(0, 0))).isEqualTo(10 + 57);
        assertThat(frameSize(chunk(100, 20))).isEqualTo(10 + 57 + 20 + 100);
        assertThat(frameSize(InstallSnapshotResponse.installed(2, 1, 3, new LogId(3, 9), 9))).isEqualTo(10 + 57);
        ByteBuf frame = encode(new InstallSnapshotRequest(1, 2, 3, new LogId(3, 9), new byte[] {4, 5}, 1000,
                new byte[] {6, 7, 8}, true));
        try {
            assertThat(frame.getByte(1)).isEqualTo((byte) 32);
            assertThat(frame.getLong(SNAPSHOT_TERM)).isEqualTo(3);
            assertThat(frame.getLong(SNAPSHOT_INDEX)).isEqualTo(9);
            assertThat(frame.getLong(OFFSET)).isEqualTo(1000);
            assertThat(frame.getByte(FLAGS)).isEqualTo((byte) 1);
            assertThat(frame.getInt(MEMBERSHIP_LENGTH)).isEqualTo(2);
            assertThat(frame.getByte(MEMBERSHIP + 1)).isEqualTo((byte) 5);
            assertThat(frame.getInt(MEMBERSHIP + 2)).isEqualTo(3);
            assertThat(frame.getByte(MEMBERSHIP + 2 + 4 + 2)).isEqualTo((byte) 8);
        } finally {
            frame.release();
        }
        ByteBuf response = encode(new InstallSnapshotResponse(2, 1, 3, new LogId(3, 9), 4096, false, 0));
        try {
            assertThat(response.getByte(1)).isEqualTo((byte) 33);
            assertThat(response.getLong(NEXT_OFFSET)).isEqualTo(4096);
            assertThat(response.getByte(RESPONSE_FLAGS)).isZero();
            assertThat(response.getLong(MATCH_INDEX)).isZero();
        } finally {
            response.release();
        }
    }

    // ---- malformed frames

    @Example
    void everyTruncationOfARequestIsRejected() {
        ByteBuf frame = encode(new InstallSnapshotRequest(1, 2, 3, new LogId(3, 9), new byte[] {4, 5}, 1000,
                new byte[] {6, 7, 8}, true));
        try {
            for (int length = 0; length < frame.readableBytes(); length++) {
                ByteBuf cut = frame.retainedSlice(0, length);
                try {
                    assertThatThrownBy(() -> MessageCodec.decode(cut)).as("cut to %d bytes", length)
                            .isInstanceOf(MalformedFrameException.class);
                } finally {
                    cut.release();
                }
            }
        } finally {
            frame.release();
        }
    }

    @Example
    void everyTruncationOfAResponseIsRejected() {
        ByteBuf frame = encode(InstallSnapshotResponse.installed(2, 1, 3, new LogId(3, 9), 9));
        try {
            for (int length = 0; length < frame.readableBytes(); length++) {
                ByteBuf cut = frame.retainedSlice(0, length);
                try {
                    assertThatThrownBy(() -> MessageCodec.decode(cut)).as("cut to %d bytes", length)
                            .isInstanceOf(MalformedFrameException.class);
                } finally {
                    cut.release();
                }
            }
        } finally {
            frame.release();
        }
    }

    @Example
    void trailingBytesAreRejected() {
        assertMalformed(withExtraByte(encode(chunk(10, 3))), "trailing bytes");
        assertMalformed(withExtraByte(encode(chunk(0, 0))), "trailing bytes");
        assertMalformed(withExtraByte(encode(InstallSnapshotResponse.progress(2, 1, 3, new LogId(3, 9), 5))),
                "trailing bytes");
    }

    @Example
    void aNegativeOffsetIsRejected() {
        ByteBuf frame = encode(chunk(10, 3));
        frame.setLong(OFFSET, -1);
        assertMalformed(frame, "negative offset -1");
        ByteBuf min = encode(chunk(0, 0));
        min.setLong(OFFSET, Long.MIN_VALUE);
        assertMalformed(min, "negative offset");
    }

    @Example
    void aChunkEndingPastTheLargestOffsetIsRejected() {
        ByteBuf frame = encode(chunk(10, 3));
        frame.setLong(OFFSET, Long.MAX_VALUE - 9);
        assertMalformed(frame, "ends past the largest offset");
    }

    @Example
    void aMembershipLengthOverTheLimitIsRejectedEvenWhenTheBytesArePresent() {
        InstallSnapshotRequest over = chunk(5, SnapshotCodec.MAX_MEMBERSHIP_BYTES + 1);
        ByteBuf frame = Unpooled.buffer();
        WireFormat.writeHeader(frame, WireFormat.VERSION, WireFormat.INSTALL_SNAPSHOT_REQUEST, 1);
        SnapshotCodec.encodeRequest(over, frame); // what a sender without the check would write
        assertMalformed(frame, "claims 65537 membership bytes (at most 65536)");
    }

    @Example
    void membershipLengthsOutsideTheFrameAreRejected() {
        for (int claimed : new int[] {-1, Integer.MIN_VALUE, 4, 5, 1000, SnapshotCodec.MAX_MEMBERSHIP_BYTES,
                Integer.MAX_VALUE}) {
            ByteBuf frame = encode(chunk(0, 3)); // room for the 3 bytes and the data length only
            frame.setInt(MEMBERSHIP_LENGTH, claimed);
            assertMalformed(frame, "claims " + claimed + " membership bytes");
        }
    }

    @Example
    void dataLengthsOutsideTheFrameAreRejected() {
        for (int claimed : new int[] {-1, Integer.MIN_VALUE, 11, 1 << 20, Integer.MAX_VALUE}) {
            ByteBuf frame = encode(chunk(10, 3));
            frame.setInt(MEMBERSHIP + 3, claimed);
            assertMalformed(frame, "claims " + claimed + " data bytes, frame has 10");
        }
        ByteBuf shorter = encode(chunk(10, 3));
        shorter.setInt(MEMBERSHIP + 3, 9);
        assertMalformed(shorter, "1 trailing bytes");
        // a membership length that swallows the data length field
        ByteBuf swallowed = encode(chunk(10, 3));
        swallowed.setInt(MEMBERSHIP_LENGTH, 3 + 4 + 7);
        assertMalformed(swallowed, "membership bytes");
    }

    @Example
    void badSnapshotIdsFlagsAndHeadersAreRejected() {
        assertMalformed(patchLong(encode(chunk(1, 1)), SNAPSHOT_TERM, -1), "invalid snapshot id -1-");
        assertMalformed(patchLong(encode(chunk(1, 1)), SNAPSHOT_INDEX, -5), "invalid snapshot id");
        assertMalformed(patchLong(encode(chunk(1, 1)), SNAPSHOT_TERM, 4), "is of a term after the leader's 3");
        assertMalformed(patchLong(encode(chunk(1, 1)), FROM, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(chunk(1, 1)), TO, -7), "node ids must be positive");
        assertMalformed(patchLong(encode(chunk(1, 1)), TERM, -1), "invalid INSTALL_SNAPSHOT_REQUEST");
        for (int flags : new int[] {2, 3, 0x80, 0xFF}) {
            ByteBuf frame = encode(chunk(1, 1));
            frame.setByte(FLAGS, flags);
            assertMalformed(frame, "INSTALL_SNAPSHOT_REQUEST has unknown flags " + flags);
        }
    }

    @Example
    void badResponsesAreRejected() {
        InstallSnapshotResponse valid = InstallSnapshotResponse.progress(2, 1, 3, new LogId(3, 9), 5);
        assertMalformed(patchLong(encode(valid), NEXT_OFFSET, -1), "negative nextOffset -1");
        assertMalformed(patchLong(encode(valid), MATCH_INDEX, Long.MIN_VALUE), "matchIndex " + Long.MIN_VALUE);
        assertMalformed(patchLong(encode(valid), SNAPSHOT_TERM, -1), "invalid snapshot id");
        assertMalformed(patchLong(encode(valid), SNAPSHOT_INDEX, -1), "invalid snapshot id");
        assertMalformed(patchLong(encode(valid), FROM, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(valid), TO, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(valid), TERM, -2), "invalid INSTALL_SNAPSHOT_RESPONSE");
        for (int flags : new int[] {2, 0x81}) {
            ByteBuf frame = encode(valid);
            frame.setByte(RESPONSE_FLAGS, flags);
            assertMalformed(frame, "INSTALL_SNAPSHOT_RESPONSE has unknown flags " + flags);
        }
    }

    @Example
    void theRemainingSnapshotTypesAreStillUnknown() {
        for (int type = 34; type <= 47; type++) {
            ByteBuf frame = encode(chunk(1, 1));
            frame.setByte(1, type);
            assertMalformed(frame, "unexpected frame type " + type);
        }
    }

    // ---- helpers

    /** A chunk of {@code dataBytes} random bytes at offset 4096 with a membership of {@code membershipBytes}. */
    private static InstallSnapshotRequest chunk(int dataBytes, int membershipBytes) {
        Random random = new Random(dataBytes * 31L + membershipBytes);
        byte[] data = new byte[dataBytes];
        byte[] membership = new byte[membershipBytes];
        random.nextBytes(data);
        random.nextBytes(membership);
        return new InstallSnapshotRequest(1, 2, 3, new LogId(3, 1000), membership, 4096, data, false);
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
                if (message instanceof InstallSnapshotRequest sent) {
                    InstallSnapshotRequest received = (InstallSnapshotRequest) decoded.message();
                    assertThat(received.data()).isNotSameAs(sent.data());
                }
            } finally {
                frame.release();
            }
            assertThat(frame.refCnt()).isZero();
        }
    }
}
