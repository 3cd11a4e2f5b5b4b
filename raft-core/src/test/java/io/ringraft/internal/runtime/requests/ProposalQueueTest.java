package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ProposalQueue}: records come out as they went in (origin, correlation id, payload), in
 * order, across the array's end, never more than fit; a handler can leave a record for later; and
 * many producers on real threads against one consumer lose, duplicate, reorder or tear nothing.
 */
class ProposalQueueTest {

    /** One drained record. */
    private record Record(byte origin, long correlationId, byte[] payload) {
    }

    private static List<Record> drainAll(ProposalQueue queue) {
        List<Record> out = new ArrayList<>();
        queue.drain((origin, correlationId, buffer, offset, length) ->
                out.add(new Record(origin, correlationId, Arrays.copyOfRange(buffer, offset, offset + length))),
                Integer.MAX_VALUE);
        return out;
    }

    private static byte[] payload(long seed, int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void recordsComeOutAsTheyWentInAndInOrder() {
        ProposalQueue queue = new ProposalQueue(1024);
        assertThat(queue.isEmpty()).isTrue();
        byte[] framed = payload(1, 40);
        assertThat(queue.offer((byte) 1, 11, framed, 3, 30)).isTrue();
        assertThat(queue.offer((byte) -2, Long.MIN_VALUE, new byte[0], 0, 0)).isTrue();
        ByteBuffer direct = ByteBuffer.allocateDirect(20);
        direct.put(payload(2, 20)).position(5);
        assertThat(queue.offer((byte) 3, 33, direct)).isTrue();
        assertThat(direct.position()).as("the buffer's position does not move").isEqualTo(5);
        assertThat(queue.isEmpty()).isFalse();

        List<Record> out = drainAll(queue);
        assertThat(out).hasSize(3);
        assertThat(out.get(0).origin()).isEqualTo((byte) 1);
        assertThat(out.get(0).correlationId()).isEqualTo(11);
        assertThat(out.get(0).payload()).isEqualTo(Arrays.copyOfRange(framed, 3, 33));
        assertThat(out.get(1).origin()).isEqualTo((byte) -2);
        assertThat(out.get(1).correlationId()).isEqualTo(Long.MIN_VALUE);
        assertThat(out.get(1).payload()).isEmpty();
        assertThat(out.get(2).payload()).isEqualTo(Arrays.copyOfRange(payload(2, 20), 5, 20));
        assertThat(queue.isEmpty()).isTrue();
        assertThat(drainAll(queue)).isEmpty();
    }

    @Test
    void aFullQueueRefusesUntilTheConsumerFreesRoom() {
        ProposalQueue queue = new ProposalQueue(256);
        // 48-byte records (16 header + 32 payload): five fit in 256 bytes, a sixth does not.
        for (int i = 0; i < 5; i++) {
            assertThat(queue.offer((byte) 1, i, new byte[32], 0, 32)).as("record %d", i).isTrue();
        }
        assertThat(queue.offer((byte) 1, 5, new byte[32], 0, 32)).isFalse();
        assertThat(queue.offer((byte) 1, 5, new byte[0], 0, 0)).as("a 16-byte record fits the last 16").isTrue();
        assertThat(queue.offer((byte) 1, 6, new byte[0], 0, 0)).isFalse();
        assertThat(queue.drain((o, c, b, off, len) -> true, 2)).isEqualTo(2);
        assertThat(queue.offer((byte) 1, 6, new byte[32], 0, 32)).as("room again").isTrue();
        assertThat(drainAll(queue)).extracting(Record::correlationId).containsExactly(2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void aRecordThatDoesNotFitBeforeTheEndStartsTheArrayAgain() {
        ProposalQueue queue = new ProposalQueue(256);
        SplittableRandom random = new SplittableRandom(9);
        long next = 0;
        long expected = 0;
        for (int round = 0; round < 2_000; round++) {
            int length = random.nextInt(100);
            if (queue.offer((byte) (next & 0x7f), next, payload(next, length), 0, length)) {
                next++;
            } else {
                assertThat(queue.isEmpty()).as("refused only while something is queued").isFalse();
            }
            if (random.nextInt(3) == 0) {
                for (Record record : drainAll(queue)) {
                    assertThat(record.correlationId()).isEqualTo(expected);
                    assertThat(record.origin()).isEqualTo((byte) (expected & 0x7f));
                    assertThat(record.payload()).isEqualTo(payload(expected, record.payload().length));
                    expected++;
                }
            }
        }
        for (Record record : drainAll(queue)) {
            assertThat(record.correlationId()).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(next).isGreaterThan(1_000); // many laps of a 256-byte array
    }

    @Test
    void aHandlerThatSaysNoLeavesTheRecordForTheNextDrain() {
        ProposalQueue queue = new ProposalQueue(256);
        for (int i = 0; i < 3; i++) {
            queue.offer((byte) 1, i, new byte[] {(byte) i}, 0, 1);
        }
        List<Long> seen = new ArrayList<>();
        int consumed = queue.drain((origin, correlationId, buffer, offset, length) -> {
            if (correlationId == 1) {
                return false;
            }
            seen.add(correlationId);
            return true;
        }, 10);
        assertThat(consumed).isEqualTo(1);
        assertThat(seen).containsExactly(0L);
        assertThat(queue.drain((o, c, b, off, len) -> true, 1)).as("the limit counts records").isEqualTo(1);
        assertThat(drainAll(queue)).extracting(Record::correlationId).containsExactly(2L);
    }

    @Test
    void refusesBadArgumentsBeforeClaimingAnything() {
        ProposalQueue queue = new ProposalQueue(256);
        assertThatThrownBy(() -> queue.offer((byte) 1, 1, new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> queue.offer((byte) 1, 1, new byte[queue.maxPayload() + 1], 0, queue.maxPayload() + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.offer((byte) 1, 1, new byte[queue.maxPayload()], 0, queue.maxPayload())).isTrue();
        assertThatThrownBy(() -> new ProposalQueue(100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyProducersOneConsumerLoseDuplicateReorderAndTearNothing() throws Exception {
        manyProducersOneConsumer(false);
    }

    @Test
    void aConsumerThatReleasesTheArrayWheneverItCanLosesNothingEither() throws Exception {
        manyProducersOneConsumer(true);
    }

    @Test
    void theArrayIsAllocatedByTheFirstOfferAndReleasedOnlyWhenEmpty() {
        ProposalQueue queue = new ProposalQueue(1024);
        assertThat(queue.isAllocated()).isFalse();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.size()).isZero();
        assertThat(queue.release()).as("nothing allocated").isFalse();
        assertThat(drainAll(queue)).isEmpty();
        assertThatThrownBy(() -> queue.offer((byte) 1, 1, new byte[2000], 0, 2000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(queue.isAllocated()).as("a refused offer allocates nothing").isFalse();

        assertThat(queue.offer((byte) 1, 1, payload(1, 10), 0, 10)).isTrue();
        assertThat(queue.isAllocated()).isTrue();
        assertThat(queue.allocations()).isEqualTo(1);
        assertThat(queue.release()).as("a record is queued").isFalse();
        assertThat(drainAll(queue)).hasSize(1);
        assertThat(queue.release()).isTrue();
        assertThat(queue.isAllocated()).isFalse();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.size()).isZero();
        assertThat(drainAll(queue)).isEmpty();

        byte[] second = payload(2, 30);
        assertThat(queue.offer((byte) 2, 2, second, 0, 30)).isTrue();
        assertThat(queue.allocations()).isEqualTo(2);
        assertThat(queue.size()).isPositive();
        List<Record> out = drainAll(queue);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).correlationId()).isEqualTo(2);
        assertThat(out.get(0).payload()).isEqualTo(second);
    }

    private void manyProducersOneConsumer(boolean release) throws Exception {
        int producers = 3;
        int perProducer = 50_000;
        ProposalQueue queue = new ProposalQueue(4096);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(producer);
                byte[] bytes = new byte[300];
                for (long i = 0; i < perProducer; i++) {
                    int length = Long.BYTES + random.nextInt(200);
                    // the payload repeats the sequence number, so a torn or mixed record shows
                    for (int k = 0; k + Long.BYTES <= length; k += Long.BYTES) {
                        ByteBuffer.wrap(bytes).putLong(k, i);
                    }
                    while (!queue.offer((byte) producer, i, bytes, 0, length)) {
                        Thread.onSpinWait();
                    }
                }
            }, "producer-" + p);
            threads.add(thread);
            thread.start();
        }
        long[] nextOf = new long[producers];
        long total = (long) producers * perProducer;
        long received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received < total && System.nanoTime() < deadline) {
            received += queue.drain((origin, correlationId, buffer, offset, length) -> {
                if (origin < 0 || origin >= producers) {
                    errors.add("origin " + origin);
                    return true;
                }
                if (correlationId != nextOf[origin]) {
                    errors.add("producer " + origin + ": got " + correlationId + ", expected " + nextOf[origin]);
                }
                nextOf[origin] = correlationId + 1;
                ByteBuffer view = ByteBuffer.wrap(buffer, offset, length).slice();
                for (int k = 0; k + Long.BYTES <= length; k += Long.BYTES) {
                    if (view.getLong(k) != correlationId) {
                        errors.add("producer " + origin + " record " + correlationId + " torn at byte " + k);
                        break;
                    }
                }
                return true;
            }, 64);
            if (release) {
                queue.release();
            }
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(errors).isEmpty();
        assertThat(received).as("records received").isEqualTo(total);
        assertThat(queue.isEmpty()).isTrue();
        if (release) {
            queue.release();
            assertThat(queue.isAllocated()).isFalse();
        }
    }
}
