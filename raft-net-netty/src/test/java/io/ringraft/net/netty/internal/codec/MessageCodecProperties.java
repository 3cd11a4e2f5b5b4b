package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Every message survives encode and decode unchanged, and the encoder respects the frame limit. */
class MessageCodecProperties {

    private static final int MAX_FRAME = 64 * 1024;
    private static final ByteBufAllocator[] ALLOCATORS = {
            ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT};

    @Provide
    Arbitrary<VoteRequest> voteRequests() {
        return TestMessages.voteRequests();
    }

    @Provide
    Arbitrary<VoteResponse> voteResponses() {
        return TestMessages.voteResponses();
    }

    @Provide
    Arbitrary<AppendEntriesRequest> appendRequests() {
        return TestMessages.appendRequests();
    }

    @Provide
    Arbitrary<AppendEntriesResponse> appendResponses() {
        return TestMessages.appendResponses();
    }

    @Provide
    Arbitrary<RaftMessage> controlMessages() {
        return TestMessages.controlMessages();
    }

    @Property(tries = 300)
    void controlMessagesRoundTrip(@ForAll("controlMessages") RaftMessage message, @ForAll long groupId) {
        assertRoundTrip(groupId, message);
    }

    @Property(tries = 300)
    void voteRequestsRoundTrip(@ForAll("voteRequests") VoteRequest message, @ForAll long groupId) {
        assertRoundTrip(groupId, message);
    }

    @Property(tries = 300)
    void voteResponsesRoundTrip(@ForAll("voteResponses") VoteResponse message, @ForAll long groupId) {
        assertRoundTrip(groupId, message);
    }

    @Property(tries = 300)
    void appendRequestsRoundTrip(@ForAll("appendRequests") AppendEntriesRequest message, @ForAll long groupId) {
        assertRoundTrip(groupId, message);
    }

    @Property(tries = 300)
    void appendResponsesRoundTrip(@ForAll("appendResponses") AppendEntriesResponse message, @ForAll long groupId) {
        assertRoundTrip(groupId, message);
    }

    @Example
    void extremeValuesRoundTrip() {
        long max = Long.MAX_VALUE;
        assertRoundTrip(max, new VoteRequest(max, max, max, new LogId(max, max), true));
        assertRoundTrip(Long.MIN_VALUE, new VoteRequest(1, 1, 0, LogId.ZERO, false));
        assertRoundTrip(0, new VoteResponse(max, 1, max, true, true));
        assertRoundTrip(-1, AppendEntriesResponse.rejected(max, max, max, max, new LogId(max, max)));
        assertRoundTrip(1, AppendEntriesResponse.success(1, 1, 0, 0));
        // heartbeat at the log start and at the largest index a request can name
        assertRoundTrip(1, new AppendEntriesRequest(1, 2, 0, LogId.ZERO, LogEntries.empty(1), 0));
        assertRoundTrip(1, new AppendEntriesRequest(1, 2, max, new LogId(max, max - 1), LogEntries.empty(max), max));
        // empty payloads, first and last
        HeapLogEntries empties = HeapLogEntries.builder(max - 2).add(7, EntryKind.NOOP, new byte[0])
                .add(max, EntryKind.COMMAND, new byte[0]).build();
        assertRoundTrip(9, new AppendEntriesRequest(1, 2, max, new LogId(7, max - 3), empties, max - 1));
        assertRoundTrip(9, new AppendEntriesRequest(1, 2, max, new LogId(7, max - 3), new DirectLogEntries(empties), 0));
    }

    @Example
    void anAppendOfExactlyTheMaximumFrameFitsAndOneByteMoreDoesNot() {
        int payload = MAX_FRAME - WireFormat.HEADER_BYTES - AppendCodec.REQUEST_FIXED_BYTES - AppendCodec.ENTRY_HEADER_BYTES;
        AppendEntriesRequest exact = append(payload);
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, exact, MAX_FRAME);
        try {
            assertThat(frame.readableBytes()).isEqualTo(MAX_FRAME);
            RoutedMessage decoded = MessageCodec.decode(frame);
            TestMessages.assertSame(decoded.message(), exact);
            decoded.release();
        } finally {
            frame.release();
        }
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, append(payload + 1), MAX_FRAME)).isNull();
    }

    @Example
    void anAppendTooLargeForOneFrameSendsThePrefixThatFits() {
        byte[] half = new byte[MAX_FRAME / 2];
        HeapLogEntries entries = HeapLogEntries.builder(11).add(3, EntryKind.COMMAND, half)
                .add(3, EntryKind.COMMAND, half).add(3, EntryKind.COMMAND, new byte[1]).build();
        AppendEntriesRequest request = new AppendEntriesRequest(1, 2, 3, new LogId(3, 10), entries, 10);
        assertThat(MessageCodec.entriesFitting(request, MAX_FRAME)).isEqualTo(1);
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, request, MAX_FRAME);
        try {
            AppendEntriesRequest decoded = (AppendEntriesRequest) MessageCodec.decode(frame).message();
            assertThat(decoded.entries().count()).isEqualTo(1);
            assertThat(decoded.lastIndex()).isEqualTo(11);
            assertThat(decoded.prevLogId()).isEqualTo(request.prevLogId());
            Releasable.release(decoded);
        } finally {
            frame.release();
        }
    }

    @Example
    void handshakeFramesRoundTripAndAreNotMessages() {
        ByteBuf hello = HandshakeCodec.encodeHello(ByteBufAllocator.DEFAULT, new HandshakeCodec.Hello(1, 3, 42, "cluster-é"));
        try {
            assertThat(HandshakeCodec.readHeader(hello.duplicate())).isEqualTo(WireFormat.HELLO);
            assertThatThrownBy(() -> MessageCodec.decode(hello.duplicate())).isInstanceOf(MalformedFrameException.class);
            ByteBuf body = hello.duplicate();
            HandshakeCodec.readHeader(body);
            assertThat(HandshakeCodec.decodeHello(body)).isEqualTo(new HandshakeCodec.Hello(1, 3, 42, "cluster-é"));
        } finally {
            hello.release();
        }
        ByteBuf refuse = HandshakeCodec.encodeRefuse(ByteBufAllocator.DEFAULT, new HandshakeCodec.Refuse(
                HandshakeCodec.RefuseReason.UNKNOWN_NODE, "x".repeat(2000)));
        try {
            HandshakeCodec.readHeader(refuse);
            HandshakeCodec.Refuse decoded = HandshakeCodec.decodeRefuse(refuse);
            assertThat(decoded.reason()).isEqualTo(HandshakeCodec.RefuseReason.UNKNOWN_NODE);
            assertThat(decoded.message()).hasSize(512);
        } finally {
            refuse.release();
        }
    }

    /**
     * A refusal reason longer than 512 UTF-8 bytes is cut; the cut must not split a character, or
     * the peer cannot decode the REFUSE (strict UTF-8) and counts a protocol error instead of
     * logging the reason. The server's WRONG_CLUSTER text quotes both cluster ids (up to 255 bytes
     * each), so non-ASCII cluster ids reach the limit.
     */
    @Property(tries = 200)
    void aRefusalCutToTheLimitStillDecodes(@ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int asciiPrefix,
                                            @ForAll("nonAscii") String text) {
        String message = "x".repeat(asciiPrefix) + text;
        ByteBuf refuse = HandshakeCodec.encodeRefuse(ByteBufAllocator.DEFAULT, new HandshakeCodec.Refuse(
                HandshakeCodec.RefuseReason.WRONG_CLUSTER, message));
        try {
            HandshakeCodec.readHeader(refuse);
            HandshakeCodec.Refuse decoded = HandshakeCodec.decodeRefuse(refuse);
            assertThat(message).startsWith(decoded.message());
            assertThat(decoded.message().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isBetween(512 - 3, 512);
        } finally {
            refuse.release();
        }
    }

    @Provide
    Arbitrary<String> nonAscii() {
        return net.jqwik.api.Arbitraries.of("é", "日", "\uD83D\uDE00").list().ofMinSize(200).ofMaxSize(300)
                .map(parts -> String.join("", parts));
    }

    @Example
    void frameSizesMatchTheDocumentedLayout() {
        // docs/transport.md: header 10 bytes; bodies 41, 25, 57, and 52 + 13 per entry + payloads
        assertFrameSize(new VoteRequest(1, 2, 3, LogId.ZERO, false), 10 + 41);
        assertFrameSize(new VoteResponse(1, 2, 3, true, false), 10 + 25);
        assertFrameSize(AppendEntriesResponse.success(1, 2, 3, 4), 10 + 57);
        assertFrameSize(new AppendEntriesRequest(1, 2, 3, LogId.ZERO, LogEntries.empty(1), 0), 10 + 52);
        assertFrameSize(append(100), 10 + 52 + 13 + 100);
        ByteBuf hello = HandshakeCodec.encodeHello(ByteBufAllocator.DEFAULT, new HandshakeCodec.Hello(1, 1, 7, "abc"));
        ByteBuf ack = HandshakeCodec.encodeAck(ByteBufAllocator.DEFAULT, new HandshakeCodec.HelloAck(1, 7, "abc"));
        assertThat(hello.readableBytes()).isEqualTo(10 + 15 + 3);
        assertThat(ack.readableBytes()).isEqualTo(10 + 14 + 3);
        assertThat(hello.getInt(10)).isEqualTo(0x52524654);
        hello.release();
        ack.release();
    }

    private static void assertFrameSize(RaftMessage message, int bytes) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 1, message, MAX_FRAME);
        assertThat(frame.readableBytes()).isEqualTo(bytes);
        frame.release();
    }

    private static AppendEntriesRequest append(int payloadBytes) {
        HeapLogEntries entries = HeapLogEntries.builder(1).add(1, EntryKind.COMMAND, new byte[payloadBytes]).build();
        return new AppendEntriesRequest(1, 2, 1, LogId.ZERO, entries, 0);
    }

    private static void assertRoundTrip(long groupId, RaftMessage message) {
        for (ByteBufAllocator allocator : ALLOCATORS) {
            ByteBuf frame = MessageCodec.encode(allocator, groupId, message, MAX_FRAME);
            try {
                assertThat(frame.isDirect()).isTrue();
                assertThat(frame.getByte(0)).isEqualTo(WireFormat.VERSION);
                RoutedMessage decoded = MessageCodec.decode(frame);
                try {
                    assertThat(frame.isReadable()).isFalse();
                    assertThat(decoded.groupId()).isEqualTo(groupId);
                    TestMessages.assertSame(decoded.message(), message);
                } finally {
                    decoded.release(); // entries are a view over the frame: hand it back
                }
            } finally {
                frame.release();
            }
            assertThat(frame.refCnt()).isZero();
        }
    }
}
