package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;

import org.jctools.queues.MessagePassingQueue;
import org.junit.jupiter.api.Test;

/** {@link BoundedQueues}: padded or unpadded, the same bounds (a full queue refuses) and the same FIFO order. */
class BoundedQueuesTest {

    @Test
    void paddedAndUnpaddedQueuesKeepTheSameBounds() {
        for (boolean padded : new boolean[] {true, false}) {
            BoundedQueues queues = new BoundedQueues(padded);
            assertFifoBoundedAt(queues.mpsc(8), 8, padded);
            assertFifoBoundedAt(queues.spsc(8), 8, padded);
            assertFifoBoundedAt(queues.mpscChunked(2, 8), 8, padded);
        }
    }

    @Test
    void onlyThePaddedQueuesArePadded() {
        assertThat(new BoundedQueues(true).mpsc(8).getClass().getName()).doesNotContain("Unpadded");
        assertThat(new BoundedQueues(true).spsc(8).getClass().getName()).doesNotContain("Unpadded");
        assertThat(new BoundedQueues(true).mpscChunked(2, 8).getClass().getName()).doesNotContain("Unpadded");
        assertThat(new BoundedQueues(false).mpsc(8).getClass().getName()).contains("Unpadded");
        assertThat(new BoundedQueues(false).spsc(8).getClass().getName()).contains("Unpadded");
        assertThat(new BoundedQueues(false).mpscChunked(2, 8).getClass().getName()).contains("Unpadded");
    }

    private static void assertFifoBoundedAt(MessagePassingQueue<Integer> queue, int capacity, boolean padded) {
        for (int i = 0; i < capacity; i++) {
            assertThat(queue.offer(i)).as("padded=%s, element %d", padded, i).isTrue();
        }
        assertThat(queue.offer(capacity)).as("padded=%s: full", padded).isFalse();
        for (int i = 0; i < capacity; i++) {
            assertThat(queue.poll()).isEqualTo(i);
        }
        assertThat(queue.poll()).isNull();
    }
}
