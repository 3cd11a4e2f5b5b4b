package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProgressPointerTest {

    @Test
    void aMonotonicPointerNeverGoesBack() {
        ProgressPointer applied = ProgressPointer.monotonic("applied", 5);

        applied.publish(7);

        assertThat(applied.get()).isEqualTo(7);
        assertThatThrownBy(() -> applied.publish(6))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("applied would go back from 7 to 6");
        assertThat(applied.advance(7)).isFalse();
        assertThat(applied.advance(9)).isTrue();
        assertThat(applied.get()).isEqualTo(9);
    }

    @Test
    void aMovablePositionMayGoBack() {
        ProgressPointer submitted = ProgressPointer.movable("submitted", 10);

        submitted.publish(4); // a follower's truncation

        assertThat(submitted.get()).isEqualTo(4);
    }

    @Test
    void publishingWakesEveryWatcher() {
        Signal applier = new Signal();
        Signal core = new Signal();
        applier.bind(Thread.currentThread());
        core.bind(Thread.currentThread());
        ProgressPointer committed = ProgressPointer.monotonic("committed", 0, applier, core);

        committed.publish(3);

        // Both waits return at once because the wake is pending; without it each would park a minute.
        long start = System.nanoTime();
        applier.awaitWake(60_000_000_000L);
        core.awaitWake(60_000_000_000L);
        assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
    }

    @Test
    void theInitialValueIsNotAWriteAndOneWriterIsRecorded() throws Exception {
        ProgressPointer flushed = ProgressPointer.monotonic("flushed", 3);
        assertThat(flushed.writerThreads()).isZero();

        Thread writer = new Thread(() -> {
            flushed.publish(4);
            flushed.publish(5);
        }, "log-writer");
        writer.start();
        writer.join();

        assertThat(flushed.writerThreads()).isEqualTo(1);
        assertThat(flushed.writerNames()).isEqualTo("log-writer");
    }

    @Test
    void aSecondWriterIsRecorded() throws Exception {
        ProgressPointer flushed = ProgressPointer.monotonic("flushed", 0);
        flushed.publish(1);
        Thread other = new Thread(() -> flushed.publish(2), "intruder");
        other.start();
        other.join();

        assertThat(flushed.writerThreads()).isEqualTo(2);
        assertThat(flushed.writerNames()).endsWith(" and intruder");
    }

    /** What the writer stored before publishing is visible to a reader that sees the new value. */
    @Test
    void aReaderThatSeesAValueSeesWhatWasWrittenBeforeIt() throws Exception {
        ProgressPointer pointer = ProgressPointer.monotonic("accepted", 0);
        long[] slots = new long[1 << 12];
        int rounds = 200_000;
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long seen = 0;
            while (seen < rounds && failure.get() == null) {
                long value = pointer.get();
                for (long i = seen + 1; i <= value; i++) {
                    if (slots[(int) (i & (slots.length - 1))] < i) {
                        failure.set("slot of " + i + " not yet written although the pointer is at " + value);
                    }
                }
                seen = value;
            }
        });
        reader.start();
        for (long i = 1; i <= rounds; i++) {
            // A slot overwritten by a later lap holds a larger value: the check still holds.
            slots[(int) (i & (slots.length - 1))] = i; // plain write, published by the release below
            pointer.publish(i);
        }
        reader.join();
        assertThat(failure.get()).isNull();
    }
}
