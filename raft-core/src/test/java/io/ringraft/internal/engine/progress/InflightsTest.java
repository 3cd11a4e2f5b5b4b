package io.ringraft.internal.engine.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InflightsTest {

    @Test
    void fillsUpToItsCapacity() {
        Inflights in = new Inflights(3);
        assertThat(in.count()).isZero();
        assertThat(in.isFull()).isFalse();

        in.add(5);
        in.add(8);
        assertThat(in.isFull()).isFalse();
        in.add(10);

        assertThat(in.isFull()).isTrue();
        assertThat(in.count()).isEqualTo(3);
        assertThatThrownBy(() -> in.add(12)).isInstanceOf(IllegalStateException.class);
        assertThat(in.count()).isEqualTo(3);
    }

    @Test
    void freeToReleasesEveryMessageEndingAtOrBeforeTheIndex() {
        Inflights in = new Inflights(4);
        in.add(5);
        in.add(8);
        in.add(10);

        in.freeTo(4); // below the oldest: nothing
        assertThat(in.count()).isEqualTo(3);
        in.freeTo(5); // exactly the oldest
        assertThat(in.count()).isEqualTo(2);
        in.freeTo(9); // frees the message ending at 8; the one ending at 10 (9..10) stays
        assertThat(in.count()).isEqualTo(1);
        in.freeTo(9);
        assertThat(in.count()).isEqualTo(1);
        in.freeTo(100);
        assertThat(in.count()).isZero();
        in.freeTo(200); // empty: no-op
        assertThat(in.count()).isZero();
    }

    @Test
    void wrapsAroundTheRing() {
        Inflights in = new Inflights(2);
        long last = 0;
        for (int round = 0; round < 10; round++) {
            in.add(last + 1);
            in.add(last + 2);
            assertThat(in.isFull()).isTrue();
            in.freeTo(last + 1);
            assertThat(in.count()).isEqualTo(1);
            in.add(last + 3);
            in.freeTo(last + 2);
            assertThat(in.count()).as("round %d", round).isEqualTo(1);
            in.freeTo(last + 3);
            assertThat(in.count()).isZero();
            last += 3;
        }
    }

    @Test
    void clearEmptiesTheWindow() {
        Inflights in = new Inflights(2);
        in.add(1);
        in.add(2);
        in.clear();
        assertThat(in.count()).isZero();
        assertThat(in.isFull()).isFalse();
        in.add(7);
        in.freeTo(6);
        assertThat(in.count()).isEqualTo(1);
        in.freeTo(7);
        assertThat(in.count()).isZero();
    }

    @Test
    void aWindowOfOne() {
        Inflights in = new Inflights(1);
        in.add(3);
        assertThat(in.isFull()).isTrue();
        in.freeTo(3);
        assertThat(in.isFull()).isFalse();
    }
}
