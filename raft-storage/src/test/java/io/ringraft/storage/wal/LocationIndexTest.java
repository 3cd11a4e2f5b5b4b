package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A group's location index: it answers like a plain list of locations under random appends, purges and
 * truncations; an append-and-purge rhythm reuses its array; after a purge its size is bounded by the
 * live log (at most 16 times it, or 16 slots).
 */
class LocationIndexTest {

    @Test
    void answersLikeAListUnderRandomChangesAndStaysBoundedByTheLiveLog() {
        Random random = new Random(14);
        LocationIndex index = new LocationIndex();
        ArrayDeque<Long> model = new ArrayDeque<>();
        long first = 1;
        index.reset(first);
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(100);
            if (op < 80) {
                long location = random.nextLong();
                index.append(location);
                model.addLast(location);
            } else if (op < 93 && !model.isEmpty()) {
                long through = first + random.nextInt(model.size());
                index.dropThrough(through);
                while (first <= through) {
                    model.removeFirst();
                    first++;
                }
                assertThat(index.capacity()).as("after a purge").isLessThanOrEqualTo(Math.max(16, 16 * model.size()));
            } else if (!model.isEmpty()) {
                long from = first + random.nextInt(model.size());
                index.truncateFrom(from);
                while (first + model.size() > from) {
                    model.removeLast();
                }
            }
            assertThat(index.size()).isEqualTo(model.size());
            assertThat(index.firstIndex()).isEqualTo(first);
            if (step % 97 == 0) {
                List<Long> expected = new ArrayList<>(model);
                for (int i = 0; i < expected.size(); i++) {
                    assertThat(index.get(first + i)).isEqualTo(expected.get(i));
                }
            }
        }
        long before = first - 1;
        long after = first + model.size();
        assertThatThrownBy(() -> index.get(before)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> index.get(after)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aSteadyAppendAndPurgeRhythmReusesTheArray() {
        LocationIndex index = new LocationIndex();
        index.reset(1);
        long next = 1;
        int settled = -1;
        for (int cycle = 0; cycle < 50; cycle++) {
            for (int i = 0; i < 1000; i++) { // the live log grows from 500 to 1,500 entries...
                index.append(next++);
                if (cycle > 5) {
                    assertThat(index.capacity()).as("cycle %d, append %d", cycle, i).isEqualTo(settled);
                }
            }
            index.dropThrough(next - 501); // ...and a snapshot's purge keeps the last 500
            assertThat(index.size()).isEqualTo(500);
            if (cycle == 5) {
                settled = index.capacity();
            } else if (cycle > 5) {
                assertThat(index.capacity()).as("cycle %d, after the purge", cycle).isEqualTo(settled);
            }
        }
        assertThat(settled).isLessThanOrEqualTo(4096);
        assertThat(index.get(next - 1)).isEqualTo(next - 1);
        assertThat(index.get(next - 500)).isEqualTo(next - 500);
    }
}
