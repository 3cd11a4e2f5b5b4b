package io.ringraft.internal.runtime.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The unreachable-peer mailbox and the published quiet flag between a host and one node's core. */
class PeerLivenessTest {

    @Test
    void reportsAreTakenOnceAndDuplicatesCollapse() {
        PeerLiveness liveness = new PeerLiveness(4);
        assertThat(liveness.reportUnreachable(3)).isTrue();
        assertThat(liveness.reportUnreachable(3)).isTrue();
        assertThat(liveness.reportUnreachable(5)).isTrue();
        List<Long> taken = new ArrayList<>();
        AtomicInteger overflows = new AtomicInteger();
        assertThat(liveness.drain(taken::add, overflows::incrementAndGet)).isEqualTo(2);
        assertThat(taken).containsExactlyInAnyOrder(3L, 5L);
        assertThat(overflows).hasValue(0);
        taken.clear();
        assertThat(liveness.drain(taken::add, overflows::incrementAndGet)).isZero();
        assertThat(taken).isEmpty();
        // A report after a drain that found nothing (and skipped the slots) is taken by the next one.
        assertThat(liveness.reportUnreachable(7)).isTrue();
        assertThat(liveness.drain(taken::add, overflows::incrementAndGet)).isEqualTo(1);
        assertThat(taken).containsExactly(7L);
    }

    @Test
    void moreDistinctPeersThanSlotsSetTheOverflowFlagOnce() {
        PeerLiveness liveness = new PeerLiveness(2);
        assertThat(liveness.reportUnreachable(1)).isTrue();
        assertThat(liveness.reportUnreachable(2)).isTrue();
        assertThat(liveness.reportUnreachable(3)).isFalse();
        assertThat(liveness.reportUnreachable(4)).isFalse();
        List<Long> taken = new ArrayList<>();
        AtomicInteger overflows = new AtomicInteger();
        assertThat(liveness.drain(taken::add, overflows::incrementAndGet)).isEqualTo(3);
        assertThat(taken).containsExactlyInAnyOrder(1L, 2L);
        assertThat(overflows).hasValue(1);
        liveness.drain(taken::add, overflows::incrementAndGet);
        assertThat(overflows).hasValue(1); // cleared
        assertThat(liveness.reportUnreachable(3)).isTrue(); // slots are free again
    }

    @Test
    void idsMustBePositive() {
        PeerLiveness liveness = new PeerLiveness(2);
        assertThatThrownBy(() -> liveness.reportUnreachable(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PeerLiveness(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentReportersLoseNothingThatFitsAndOverflowOtherwise() throws Exception {
        for (int round = 0; round < 200; round++) {
            PeerLiveness liveness = new PeerLiveness(8);
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> reporters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long first = 1 + 3L * t; // 12 distinct ids over 8 slots: some must overflow
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (long id = first; id < first + 3; id++) {
                        liveness.reportUnreachable(id);
                    }
                });
                thread.start();
                reporters.add(thread);
            }
            start.countDown();
            for (Thread thread : reporters) {
                thread.join();
            }
            List<Long> taken = new ArrayList<>();
            AtomicInteger overflows = new AtomicInteger();
            liveness.drain(taken::add, overflows::incrementAndGet);
            // every slot was used once, no id twice, and the four that did not fit raised the flag
            assertThat(taken).hasSize(8).doesNotHaveDuplicates().allMatch(id -> id >= 1 && id <= 12);
            assertThat(overflows).hasValue(1);
        }
    }

    @Test
    void theQuietFlagIsWhatTheCorePublished() {
        PeerLiveness liveness = new PeerLiveness(1);
        assertThat(liveness.quiesced()).isFalse();
        liveness.publishQuiesced(true);
        assertThat(liveness.quiesced()).isTrue();
        liveness.publishQuiesced(false);
        assertThat(liveness.quiesced()).isFalse();
    }
}
