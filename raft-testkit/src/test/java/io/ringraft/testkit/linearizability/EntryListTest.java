package io.ringraft.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.testkit.linearizability.EntryList.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryListTest {

    private static List<String> walk(Entry head) {
        List<String> out = new ArrayList<>();
        for (Entry e = head.next; e != null; e = e.next) {
            assertThat(e.prev.next).isSameAs(e);
            out.add((e.isCall ? "c" : "r") + e.op);
        }
        return out;
    }

    private final List<Operation<String, String>> ops = List.of(
            Operation.completed(0, "a", "A", 0, 10),
            Operation.completed(1, "b", "B", 10, 20),
            Operation.unknown(2, "c", 5),
            Operation.completed(3, "d", "D", 10, 10));

    @Test
    void sortsByTimeWithCallsBeforeReturnsAndUnknownOpsHaveNoReturn() {
        assertThat(walk(EntryList.build(ops))).containsExactly("c0", "c2", "c1", "c3", "r0", "r3", "r1");
    }

    @Test
    void liftAndUnliftInReverseOrderRestoreTheList() {
        Entry head = EntryList.build(ops);
        Entry c0 = head.next;
        Entry c2 = c0.next;
        Entry c3 = c2.next.next;
        EntryList.lift(c0);
        EntryList.lift(c3);
        EntryList.lift(c2);
        assertThat(walk(head)).containsExactly("c1", "r1");
        EntryList.unlift(c2);
        EntryList.unlift(c3);
        assertThat(walk(head)).containsExactly("c2", "c1", "c3", "r3", "r1");
        EntryList.unlift(c0);
        assertThat(walk(head)).containsExactly("c0", "c2", "c1", "c3", "r0", "r3", "r1");
    }
}
