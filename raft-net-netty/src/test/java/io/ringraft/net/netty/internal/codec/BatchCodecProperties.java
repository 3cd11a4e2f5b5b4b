package io.ringraft.net.netty.internal.codec;

import static io.ringraft.net.netty.internal.codec.Frames.assertMalformed;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.RaftMessage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The host-level batches survive encode and decode unchanged, take the documented sizes, are not
 * encoded beyond the frame limit, and every malformed count, length, flag, field or group id is
 * rejected with a {@link MalformedFrameException} before anything is allocated for it.
 */
class BatchCodecProperties {

    private static final long HOST = HeartbeatBatch.HOST_GROUP_ID;
    /** Body offsets: from 0, to 8, count 16, first group 20. */
    private static final int HEADER = WireFormat.HEADER_BYTES;
    private static final int COUNT = HEADER + 16;
    private static final int FIRST = HEADER + 20;

    @Provide
    Arbitrary<HeartbeatBatch> heartbeatBatches() {
        Arbitrary<long[]> row = Combinators.combine(Arbitraries.longs().filter(g -> g != HOST),
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.longs().between(0, Long.MAX_VALUE - 1),
                Arbitraries.longs().between(0, Long.MAX_VALUE)).as((g, term, prevIndex, commit) ->
                new long[] {g, term, term / 2, prevIndex, commit});
        return Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.longs().between(1, Long.MAX_VALUE), row.list().ofMaxSize(200)).as((from, to, rows) -> {
            int n = rows.size();
            long[][] columns = new long[5][n];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 5; c++) {
                    columns[c][i] = rows.get(i)[c];
                }
            }
            return new HeartbeatBatch(from, to, columns[0], columns[1], columns[2], columns[3], columns[4]);
        });
    }

    @Provide
    Arbitrary<HeartbeatBatchResponse> answerBatches() {
        Arbitrary<long[]> row = Combinators.combine(Arbitraries.longs().filter(g -> g != HOST),
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.integers().between(0, 1),
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((g, term, success, index, hint) -> success == 1
                        ? new long[] {g, term, 1, index, 0, 0, 0}
                        : new long[] {g, term, 0, 0, index, hint / 3, hint});
        return Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.longs().between(1, Long.MAX_VALUE), row.list().ofMaxSize(200)).as((from, to, rows) -> {
            int n = rows.size();
            long[][] columns = new long[7][n];
            long[] successes = new long[HeartbeatBatchResponse.wordsFor(n)];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 7; c++) {
                    columns[c][i] = rows.get(i)[c];
                }
                if (rows.get(i)[2] == 1) {
                    successes[i >>> 6] |= 1L << i;
                }
            }
            return new HeartbeatBatchResponse(from, to, columns[0], columns[1], successes, columns[3], columns[4],
                    columns[5], columns[6]);
        });
    }

    @Property(tries = 300)
    void heartbeatBatchesRoundTrip(@ForAll("heartbeatBatches") HeartbeatBatch batch) {
        assertRoundTrip(batch, 20 + 40 * batch.size());
    }

    @Property(tries = 300)
    void answerBatchesRoundTrip(@ForAll("answerBatches") HeartbeatBatchResponse batch) {
        assertRoundTrip(batch, 20 + 49 * batch.size());
    }

    @Example
    void keepAlivesRoundTrip() {
        assertRoundTrip(HeartbeatBatch.keepAlive(3, 1), 20);
        assertRoundTrip(HeartbeatBatchResponse.empty(1, 3), 20);
    }

    private static void assertRoundTrip(RaftMessage batch, int bodyBytes) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, HOST, batch, Frames.DEFAULT_MAX_FRAME);
        try {
            assertThat(frame.readableBytes()).as("documented size").isEqualTo(HEADER + bodyBytes);
            assertThat(MessageCodec.isControl(batch)).isTrue();
            RoutedMessage decoded = MessageCodec.decode(frame);
            assertThat(decoded.groupId()).isEqualTo(HOST);
            assertThat(decoded.message()).isEqualTo(batch);
        } finally {
            frame.release();
        }
    }

    @Example
    void aBatchLargerThanTheFrameIsNotEncoded() {
        int n = 1000;
        long[] zeros = new long[n];
        long[] groups = new long[n];
        for (int i = 0; i < n; i++) {
            groups[i] = i;
        }
        HeartbeatBatch batch = new HeartbeatBatch(1, 2, groups, zeros, zeros, zeros, zeros);
        int exact = HEADER + 20 + 40 * n;
        assertThat(MessageCodec.unsendableReason(batch, exact)).isNull();
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, HOST, batch, exact);
        assertThat(frame.readableBytes()).isEqualTo(exact);
        frame.release();
        assertThat(MessageCodec.unsendableReason(batch, exact - 1)).contains("above maxFrameBytes");
        assertThat(MessageCodec.encode(ByteBufAllocator.DEFAULT, HOST, batch, exact - 1)).isNull();
    }

    @Example
    void malformedBatchesAreRejected() {
        HeartbeatBatch two = new HeartbeatBatch(1, 2, new long[] {5, 6}, new long[] {3, 3}, new long[] {2, 3},
                new long[] {10, 11}, new long[] {9, 9});
        // counts that do not match the bytes, negative, or above the bound (checked before allocating)
        assertMalformed(setInt(encode(two), COUNT, 3), "claims 3 groups");
        assertMalformed(setInt(encode(two), COUNT, 1), "claims 1 groups");
        assertMalformed(setInt(encode(two), COUNT, -1), "claims -1 groups");
        assertMalformed(setInt(encode(two), COUNT, Integer.MAX_VALUE), "claims 2147483647 groups");
        assertMalformed(setInt(encode(two), COUNT, HeartbeatBatch.MAX_GROUPS + 1), "at most 16384");
        assertMalformed(Frames.withExtraByte(encode(two)), "claims 2 groups");
        ByteBuf truncated = encode(two);
        truncated.writerIndex(truncated.writerIndex() - 1);
        assertMalformed(truncated, "claims 2 groups");
        ByteBuf headerOnly = encode(two);
        headerOnly.writerIndex(HEADER + 10);
        assertMalformed(headerOnly, "HEARTBEAT_BATCH body needs 20 more bytes");
        // fields the record refuses: a previous term above the term, a negative commit, node id 0
        assertMalformed(Frames.patchLong(encode(two), FIRST + 16, 4), "invalid HEARTBEAT_BATCH");
        assertMalformed(Frames.patchLong(encode(two), FIRST + 32, -1), "invalid HEARTBEAT_BATCH");
        assertMalformed(Frames.patchLong(encode(two), HEADER, 0), "node ids must be positive");
        assertMalformed(Frames.patchLong(encode(two), FIRST, HOST), "reserved host group id");
        // a batch under an ordinary group id
        assertMalformed(MessageCodec.encode(ByteBufAllocator.DEFAULT, 7, two, Frames.DEFAULT_MAX_FRAME),
                "HEARTBEAT_BATCH under group 7");

        HeartbeatBatchResponse answers = new HeartbeatBatchResponse(2, 1, new long[] {5}, new long[] {3},
                new long[] {1}, new long[] {10}, new long[] {0}, new long[] {0}, new long[] {0});
        assertMalformed(setByte(encodeAnswers(answers), FIRST + 16, 2), "unknown flags 2");
        assertMalformed(Frames.patchLong(encodeAnswers(answers), FIRST + 17, -5), "invalid HEARTBEAT_BATCH_RESPONSE");
        assertMalformed(setInt(encodeAnswers(answers), COUNT, 2), "claims 2 groups");
        assertMalformed(MessageCodec.encode(ByteBufAllocator.DEFAULT, 0, answers, Frames.DEFAULT_MAX_FRAME),
                "HEARTBEAT_BATCH_RESPONSE under group 0");
    }

    private static ByteBuf encode(HeartbeatBatch batch) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, HOST, batch, Frames.DEFAULT_MAX_FRAME);
        ByteBuf heap = Unpooled.buffer(frame.readableBytes()).writeBytes(frame);
        frame.release();
        return heap;
    }

    private static ByteBuf encodeAnswers(HeartbeatBatchResponse batch) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, HOST, batch, Frames.DEFAULT_MAX_FRAME);
        ByteBuf heap = Unpooled.buffer(frame.readableBytes()).writeBytes(frame);
        frame.release();
        return heap;
    }

    private static ByteBuf setInt(ByteBuf frame, int at, int value) {
        frame.setInt(at, value);
        return frame;
    }

    private static ByteBuf setByte(ByteBuf frame, int at, int value) {
        frame.setByte(at, value);
        return frame;
    }
}
