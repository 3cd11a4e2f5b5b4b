package io.ringraft.testkit.linearizability;

import static io.ringraft.testkit.linearizability.KvOps.cas;
import static io.ringraft.testkit.linearizability.KvOps.casUnknown;
import static io.ringraft.testkit.linearizability.KvOps.get;
import static io.ringraft.testkit.linearizability.KvOps.history;
import static io.ringraft.testkit.linearizability.KvOps.put;
import static io.ringraft.testkit.linearizability.KvOps.putUnknown;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KvReadsWrittenValuesTest {

    private final KvReadsWrittenValues check = KvReadsWrittenValues.INSTANCE;

    @Test
    void readOfNeverWrittenValueIsFlagged() {
        var finding = check.check(history(put(0, "x", "a", 0, 10), get(1, "x", "b", 20, 30))).orElseThrow();
        assertThat(finding.operation()).isEqualTo(get(1, "x", "b", 20, 30));
        assertThat(finding.reason()).contains("never written");
    }

    @Test
    void valueWrittenToAnotherKeyDoesNotCount() {
        assertThat(check.check(history(put(0, "y", "a", 0, 10), get(1, "x", "a", 20, 30)))).isPresent();
    }

    @Test
    void readOfValueWrittenOnlyInTheFutureIsFlagged() {
        assertThat(check.check(history(get(1, "x", "a", 0, 10), put(0, "x", "a", 11, 20))).orElseThrow().reason())
                .contains("after this op returned");
        assertThat(check.check(history(get(1, "x", "a", 0, 10), put(0, "x", "a", 10, 20)))).isEmpty();
    }

    @Test
    void unknownWritesAndSuccessfulCasCountAsWriters() {
        assertThat(check.check(history(putUnknown(0, "x", "a", 0), get(1, "x", "a", 20, 30)))).isEmpty();
        assertThat(check.check(history(casUnknown(0, "x", null, "a", 0), get(1, "x", "a", 20, 30)))).isEmpty();
        assertThat(check.check(history(cas(0, "x", null, "a", true, 0, 5), get(1, "x", "a", 20, 30)))).isEmpty();
    }

    @Test
    void casThatReportedNoSwapDoesNotCountAsWriter() {
        assertThat(check.check(history(cas(0, "x", null, "a", false, 0, 5), get(1, "x", "a", 20, 30)))).isPresent();
    }

    @Test
    void successfulCasMustExpectAWrittenValue() {
        assertThat(check.check(history(cas(0, "x", "a", "b", true, 0, 5)))).isPresent();
        assertThat(check.check(history(cas(0, "x", "a", "b", false, 0, 5)))).isEmpty();
        assertThat(check.check(history(cas(0, "x", null, "b", true, 0, 5)))).isEmpty();
    }

    @Test
    void readsOfAbsentAreNeverFlagged() {
        assertThat(check.check(history(put(0, "x", "a", 0, 10), get(1, "x", null, 20, 30)))).isEmpty();
    }
}
