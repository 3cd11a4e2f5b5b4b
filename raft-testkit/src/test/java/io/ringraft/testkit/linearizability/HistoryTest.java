package io.ringraft.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistoryTest {

    @Test
    void recordsCompletedUnknownAndPendingOperationsAndDropsFailedOnes() {
        History<String, String> h = new History<>();
        long a = h.invoke(0, "a", 1);
        long b = h.invoke(1, "b", 2);
        long c = h.invoke(2, "c", 3);
        long d = h.invoke(3, "d", 4);
        h.ok(a, "A", 5);
        h.unknown(b);
        h.fail(c);

        assertThat(h.size()).isEqualTo(4);
        assertThat(h.operations()).containsExactly(
                Operation.completed(0, "a", "A", 1, 5),
                Operation.unknown(1, "b", 2),
                Operation.unknown(3, "d", 4));
        assertThat(d).isEqualTo(3);
    }

    @Test
    void nullOutputIsAValidObservedOutput() {
        History<String, String> h = new History<>();
        h.ok(h.invoke(0, "get", 1), null, 1);
        assertThat(h.operations().get(0).isUnknown()).isFalse();
        assertThat(h.operations().get(0).output()).isNull();
    }

    @Test
    void rejectsCompletingTwiceUnknownIdsAndReturnBeforeCall() {
        History<String, String> h = new History<>();
        long a = h.invoke(0, "a", 10);
        assertThatThrownBy(() -> h.ok(a, "A", 9)).isInstanceOf(IllegalArgumentException.class);
        h.ok(a, "A", 10);
        assertThatThrownBy(() -> h.fail(a)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.unknown(a)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.ok(7, "x", 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void operationValidatesItsInterval() {
        assertThatThrownBy(() -> Operation.completed(0, "a", "A", 5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Operation.completed(0, "a", "A", 5, Operation.UNKNOWN_RETURN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Operation<>(0, "a", "ignored", 5, Operation.UNKNOWN_RETURN))
                .isEqualTo(Operation.unknown(0, "a", 5));
    }
}
