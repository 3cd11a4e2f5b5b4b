package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ProposalQueue#take} and {@link ProposalQueue#freeUpTo}: a taken record's bytes stay as they are,
 * and keep their room, until the consumer frees past them (what lets the ring read a proposal's payload
 * in place); records taken and not kept (refused) are freed with the kept ones around them; the free line
 * never passes what was taken; and with many producers on real threads, a consumer that keeps records for
 * a while and frees them in order never sees a kept record change.
 */
class ProposalQueuePinningTest {

    /** A taken record: where it lies, and a copy of its payload when taken. */
    private record Taken(long correlationId, byte[] buffer, int offset, int length, long position, byte[] copy) {
        boolean unchanged() {
            return Arrays.equals(buffer, offset, offset + length, copy, 0, length);
        }
    }

    private static List<Taken> takeAll(ProposalQueue queue) {
        List<Taken> out = new ArrayList<>();
        queue.take((origin, correlationId, buffer, offset, length, position) -> out.add(new Taken(correlationId,
                buffer, offset, length, position, Arrays.copyOfRange(buffer, offset, offset + length))), 100);
        return out;
    }

    private static byte[] filled(int value, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void takenRecordsKeepTheirBytesAndTheirRoomUntilFreed() {
        ProposalQueue queue = new ProposalQueue(256);
        // 48-byte records: five fit.
        for (int i = 0; i < 5; i++) {
            assertThat(queue.offer((byte) 1, i, filled(i + 1, 32), 0, 32)).isTrue();
        }
        List<Taken> taken = takeAll(queue);
        assertThat(taken).extracting(Taken::correlationId).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(taken).extracting(Taken::position).containsExactly(0L, 48L, 96L, 144L, 192L);
        assertThat(queue.isEmpty()).as("nothing left to take").isTrue();
        assertThat(queue.pinnedBytes()).isEqualTo(240);
        assertThat(queue.offer((byte) 1, 5, filled(9, 32), 0, 32)).as("the taken records hold the room").isFalse();
        assertThat(queue.release()).as("not while records are held").isFalse();

        queue.freeUpTo(taken.get(2).position()); // the first two are let go
        assertThat(queue.pinnedBytes()).isEqualTo(144);
        // The 16 bytes at the end become padding: the freed 96 at the start take two records, not three.
        assertThat(queue.offer((byte) 1, 5, filled(9, 32), 0, 32)).isTrue();
        assertThat(queue.offer((byte) 1, 6, filled(9, 32), 0, 32)).isTrue();
        assertThat(queue.offer((byte) 1, 7, filled(9, 32), 0, 32)).as("only two were freed").isFalse();
        assertThat(taken.subList(2, 5)).allMatch(Taken::unchanged);

        queue.freeUpTo(Long.MAX_VALUE); // frees up to what was taken, not records 5 and 6
        assertThat(queue.isEmpty()).isFalse();
        List<Taken> next = takeAll(queue);
        assertThat(next).extracting(Taken::correlationId).containsExactly(5L, 6L);
        assertThat(next).allMatch(Taken::unchanged);
        assertThat(next.get(0).offset()).as("wrapped to the array's start").isEqualTo(16);
        queue.freeUpTo(0); // behind the head: nothing
        assertThat(queue.pinnedBytes()).isEqualTo(96 + 16);
        queue.freeUpTo(queue.consumed());
        assertThat(queue.pinnedBytes()).isZero();
        assertThat(queue.release()).isTrue();
        assertThat(queue.consumed()).isEqualTo(-1);
    }

    @Test
    void recordsTakenAndNotKeptAreFreedWithTheKeptOnesAroundThem() {
        ProposalQueue queue = new ProposalQueue(256);
        for (int i = 0; i < 4; i++) {
            queue.offer((byte) 1, i, filled(i + 1, 32), 0, 32);
        }
        List<Taken> taken = takeAll(queue);
        // Records 1 and 2 were refused (not kept); 0 and 3 are held: the line is 0's position.
        queue.freeUpTo(taken.get(0).position());
        assertThat(queue.pinnedBytes()).isEqualTo(192);
        // 0 let go: the line moves to 3, freeing the refused ones with it.
        queue.freeUpTo(taken.get(3).position());
        assertThat(queue.pinnedBytes()).isEqualTo(48);
        assertThat(taken.get(3).unchanged()).isTrue();
        for (int i = 4; i < 8; i++) {
            assertThat(queue.offer((byte) 1, i, filled(i + 1, 32), 0, 32)).as("record %d", i).isTrue();
        }
        assertThat(taken.get(3).unchanged()).as("writing around a held record leaves it").isTrue();
    }

    @Test
    void aHeldRecordNearTheEndIsSteppedAroundByARecordThatWraps() {
        ProposalQueue queue = new ProposalQueue(128);
        assertThat(queue.offer((byte) 1, 0, filled(1, 40), 0, 40)).isTrue(); // 56 bytes at 0
        assertThat(queue.offer((byte) 1, 1, filled(2, 40), 0, 40)).isTrue(); // 56 bytes at 56
        List<Taken> taken = takeAll(queue);
        queue.freeUpTo(taken.get(1).position()); // record 1 held, at 56..112
        // 16 bytes are left at the end; a 56-byte record wraps to the start, the end becomes padding.
        assertThat(queue.offer((byte) 1, 2, filled(3, 40), 0, 40)).isTrue();
        assertThat(queue.offer((byte) 1, 3, filled(4, 40), 0, 40)).as("only 56 bytes before record 1").isFalse();
        List<Taken> next = takeAll(queue);
        assertThat(next).extracting(Taken::correlationId).containsExactly(2L);
        assertThat(next.get(0).offset()).as("payload at the array's start").isEqualTo(16);
        assertThat(next.get(0).position()).isEqualTo(128);
        assertThat(taken.get(1).unchanged()).isTrue();
        queue.freeUpTo(next.get(0).position());
        assertThat(queue.pinnedBytes()).isEqualTo(56);
    }

    @Test
    void manyProducersAndAConsumerThatHoldsRecordsNeverSeeAHeldRecordChange() throws Exception {
        int producers = 3;
        int perProducer = 30_000;
        ProposalQueue queue = new ProposalQueue(4096);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(producer);
                byte[] bytes = new byte[200];
                for (long i = 0; i < perProducer; i++) {
                    int length = Long.BYTES + random.nextInt(150);
                    for (int k = 0; k + Long.BYTES <= length; k += Long.BYTES) {
                        ByteBuffer.wrap(bytes).putLong(k, i * producers + producer);
                    }
                    while (!queue.offer((byte) producer, i, bytes, 0, length)) {
                        Thread.onSpinWait();
                    }
                }
            }, "producer-" + p);
            threads.add(thread);
            thread.start();
        }
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        ArrayDeque<Taken> held = new ArrayDeque<>();
        long[] nextOf = new long[producers];
        SplittableRandom random = new SplittableRandom(42);
        long total = (long) producers * perProducer;
        long received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received < total && System.nanoTime() < deadline) {
            boolean refuse = random.nextInt(4) == 0; // some batches are refused: taken, not held
            received += queue.take((origin, correlationId, buffer, offset, length, position) -> {
                if (correlationId != nextOf[origin]) {
                    errors.add("producer " + origin + ": got " + correlationId + ", expected " + nextOf[origin]);
                }
                nextOf[origin] = correlationId + 1;
                long expected = correlationId * producers + origin;
                ByteBuffer view = ByteBuffer.wrap(buffer, offset, length).slice();
                for (int k = 0; k + Long.BYTES <= length; k += Long.BYTES) {
                    if (view.getLong(k) != expected) {
                        errors.add("record " + expected + " torn when taken");
                        break;
                    }
                }
                if (!refuse) {
                    held.add(new Taken(expected, buffer, offset, length, position,
                            Arrays.copyOfRange(buffer, offset, offset + length)));
                }
                return true;
            }, 1 + random.nextInt(16));
            // Let go of the oldest held records now and then (the ring reclaiming), checking them first.
            int release = random.nextInt(held.size() + 1);
            for (int i = 0; i < release; i++) {
                Taken oldest = held.poll();
                if (!oldest.unchanged()) {
                    errors.add("held record " + oldest.correlationId() + " changed under the consumer");
                }
            }
            Taken oldest = held.peek();
            queue.freeUpTo(oldest == null ? queue.consumed() : oldest.position());
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        for (Taken t : held) {
            if (!t.unchanged()) {
                errors.add("held record " + t.correlationId() + " changed under the consumer");
            }
        }
        assertThat(errors).isEmpty();
        assertThat(received).isEqualTo(total);
        queue.freeUpTo(queue.consumed());
        assertThat(queue.pinnedBytes()).isZero();
        assertThat(queue.release()).isTrue();
    }
}
