package io.ringraft.net.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The remote subscription's encodings: round trips, and every bound checked when a frame is decoded. */
class SubscriptionCodecTest {

    private static final byte[] A = {1, 2};
    private static final byte[] B = {3};

    @Test
    void aSpecRoundTripsWithKeysOrAny() {
        SubscriptionSpec keyed = SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(42, 16, 3, 256, 4096, KeyFilter.of(A, B))));
        assertThat(keyed.fromIndex()).isEqualTo(42);
        assertThat(keyed.window()).isEqualTo(16);
        assertThat(keyed.credit()).isEqualTo(3);
        assertThat(keyed.maxBatchEntries()).isEqualTo(256);
        assertThat(keyed.maxBatchBytes()).isEqualTo(4096);
        assertThat(keyed.filter().matches(List.of(A))).isTrue();
        assertThat(keyed.filter().matches(List.of(new byte[] {9}))).isFalse();
        SubscriptionSpec any = SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(1, 1, 1, 1, 1024, KeyFilter.any())));
        assertThat(any.filter().matchesEverything()).isTrue();
    }

    @Test
    void aSpecOutOfBoundsIsMalformed() {
        assertThatThrownBy(() -> SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(1, 4, 5, 1, 1024, KeyFilter.any())))).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("credit 5");
        assertThatThrownBy(() -> SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(1, 2000, 1, 1, 1024, KeyFilter.any())))).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("window 2000");
        assertThatThrownBy(() -> SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(0, 1, 1, 1, 1024, KeyFilter.any())))).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("fromIndex 0");
        assertThatThrownBy(() -> SubscriptionCodec.decodeSpec(SubscriptionCodec.encodeSpec(
                new SubscriptionSpec(1, 1, 1, 1, 100, KeyFilter.any())))).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("maxBatchBytes 100");
        assertThatThrownBy(() -> SubscriptionCodec.decodeSpec(new byte[] {1, 2, 3}))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void aBatchRoundTripsAndOneWithEntriesOutOfItsRangeIsMalformed() {
        SubscriptionBatch batch = new SubscriptionBatch(7, 99, 10, 20, List.of(
                new CommittedEntry(11, List.of(A), new byte[] {5}), new CommittedEntry(15, List.of(), new byte[0])));
        ByteBuf frame = SubscriptionCodec.encodeBatch(ByteBufAllocator.DEFAULT, batch);
        try {
            SubscriptionBatch back = SubscriptionCodec.decodeBatch(frame);
            assertThat(back.groupId()).isEqualTo(7);
            assertThat(back.requestId()).isEqualTo(99);
            assertThat(back.fromIndex()).isEqualTo(10);
            assertThat(back.nextIndex()).isEqualTo(20);
            assertThat(back.entries()).extracting(CommittedEntry::index).containsExactly(11L, 15L);
            assertThat(back.entries().get(0).keys().get(0)).containsExactly(A);
            assertThat(back.entries().get(0).command()).containsExactly(5);
        } finally {
            frame.release();
        }
        ByteBuf outside = SubscriptionCodec.encodeBatch(ByteBufAllocator.DEFAULT, new SubscriptionBatch(7, 99, 10, 12,
                List.of(new CommittedEntry(12, List.of(), new byte[0]))));
        try {
            assertThatThrownBy(() -> SubscriptionCodec.decodeBatch(outside)).isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining("out of order");
        } finally {
            outside.release();
        }
        ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {1, 51, 0, 0, 0, 0, 0, 0, 0, 7, 0});
        assertThatThrownBy(() -> SubscriptionCodec.decodeBatch(truncated)).isInstanceOf(MalformedFrameException.class);
    }
}
