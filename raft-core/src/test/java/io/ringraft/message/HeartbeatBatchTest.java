package io.ringraft.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.spi.LogEntries;
import org.junit.jupiter.api.Test;

/** The batch records rebuild exactly the per-group messages they stand for, and refuse bad fields. */
class HeartbeatBatchTest {

    @Test
    void aHeartbeatBatchRebuildsEachGroupsHeartbeat() {
        HeartbeatBatch batch = new HeartbeatBatch(1, 2, new long[] {7, -3}, new long[] {5, 0}, new long[] {4, 0},
                new long[] {99, 0}, new long[] {98, 0});
        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.term()).isZero();
        assertThat(batch.heartbeat(0))
                .isEqualTo(new AppendEntriesRequest(1, 2, 5, new LogId(4, 99), LogEntries.empty(100), 98));
        assertThat(batch.heartbeat(1))
                .isEqualTo(new AppendEntriesRequest(1, 2, 0, LogId.ZERO, LogEntries.empty(1), 0));
        assertThat(batch).isEqualTo(new HeartbeatBatch(1, 2, new long[] {7, -3}, new long[] {5, 0},
                new long[] {4, 0}, new long[] {99, 0}, new long[] {98, 0}));
        assertThat(batch).hasSameHashCodeAs(new HeartbeatBatch(1, 2, new long[] {7, -3}, new long[] {5, 0},
                new long[] {4, 0}, new long[] {99, 0}, new long[] {98, 0}));
        assertThat(batch.toString()).isEqualTo("HeartbeatBatch[1->2 groups=2 7:T5 prev=4-99 commit=98, -3:T0 prev=0-0 commit=0]");
        assertThat(HeartbeatBatch.keepAlive(3, 1).size()).isZero();
        assertThat(HeartbeatBatch.keepAlive(3, 1).toString()).isEqualTo("HeartbeatBatch[3->1 groups=0]");
    }

    @Test
    void aResponseBatchRebuildsEachGroupsAnswer() {
        int n = 70; // success bits over two words
        long[] groups = new long[n];
        long[] terms = new long[n];
        long[] match = new long[n];
        long[] rejected = new long[n];
        long[] hintTerms = new long[n];
        long[] hintIndexes = new long[n];
        long[] successes = new long[HeartbeatBatchResponse.wordsFor(n)];
        for (int i = 0; i < n; i++) {
            groups[i] = 1000 + i;
            terms[i] = 3;
            if (i % 3 == 0) {
                rejected[i] = 40 + i;
                hintTerms[i] = 2;
                hintIndexes[i] = 30 + i;
            } else {
                successes[i >>> 6] |= 1L << i;
                match[i] = 50 + i;
            }
        }
        HeartbeatBatchResponse batch = new HeartbeatBatchResponse(2, 1, groups, terms, successes, match, rejected,
                hintTerms, hintIndexes);
        for (int i = 0; i < n; i++) {
            AppendEntriesResponse expected = i % 3 == 0
                    ? AppendEntriesResponse.rejected(2, 1, 3, 40 + i, new LogId(2, 30 + i))
                    : AppendEntriesResponse.success(2, 1, 3, 50 + i);
            assertThat(batch.response(i)).isEqualTo(expected);
        }
        assertThat(batch.toString()).startsWith("HeartbeatBatchResponse[2->1 groups=70 1000:T3 no prev=40 hint=2-30, "
                + "1001:T3 ok match=51").endsWith(", ...]");
        assertThat(HeartbeatBatchResponse.empty(2, 1).size()).isZero();
    }

    @Test
    void badFieldsAreRefused() {
        long[] one = {1};
        long[] zero = {0};
        assertThatThrownBy(() -> new HeartbeatBatch(0, 2, one, one, one, one, one))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, one, one, new long[] {1, 2}, one, one))
                .hasMessageContaining("one length");
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, new long[] {HeartbeatBatch.HOST_GROUP_ID}, one, one, one, one))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, one, one, new long[] {2}, one, one))
                .hasMessageContaining("invalid"); // previous term above the term
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, one, one, one, new long[] {Long.MAX_VALUE}, one))
                .hasMessageContaining("invalid");
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, one, one, one, one, new long[] {-1}))
                .hasMessageContaining("invalid");
        long[] big = new long[HeartbeatBatch.MAX_GROUPS + 1];
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, big, big, big, big, big)).hasMessageContaining("at most");
        assertThatThrownBy(() -> new HeartbeatBatch(1, 2, null, one, one, one, one))
                .isInstanceOf(NullPointerException.class);

        assertThatThrownBy(() -> new HeartbeatBatchResponse(1, 2, one, one, new long[] {2}, one, zero, zero, zero))
                .hasMessageContaining("no bit at or above 1");
        assertThatThrownBy(() -> new HeartbeatBatchResponse(1, 2, one, one, new long[0], one, zero, zero, zero))
                .hasMessageContaining("words");
        assertThatThrownBy(() -> new HeartbeatBatchResponse(1, 2, one, one, new long[] {1}, new long[] {-1}, zero,
                zero, zero)).hasMessageContaining("invalid");
        assertThatThrownBy(() -> new HeartbeatBatchResponse(1, 2, new long[] {HeartbeatBatch.HOST_GROUP_ID}, one,
                new long[] {1}, one, zero, zero, zero)).hasMessageContaining("reserved");
    }
}
