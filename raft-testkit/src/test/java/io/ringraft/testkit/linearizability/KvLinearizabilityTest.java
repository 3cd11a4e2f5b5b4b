package io.ringraft.testkit.linearizability;

import static io.ringraft.testkit.linearizability.KvOps.FULL;
import static io.ringraft.testkit.linearizability.KvOps.SEARCH_ONLY;
import static io.ringraft.testkit.linearizability.KvOps.cas;
import static io.ringraft.testkit.linearizability.KvOps.casUnknown;
import static io.ringraft.testkit.linearizability.KvOps.get;
import static io.ringraft.testkit.linearizability.KvOps.history;
import static io.ringraft.testkit.linearizability.KvOps.put;
import static io.ringraft.testkit.linearizability.KvOps.putUnknown;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hand-written key-value histories with known verdicts. Each is checked both by the standard
 * checker and by the search alone (no pre-check), which must agree.
 */
class KvLinearizabilityTest {

    private static CheckResult<KvInput, KvOutput> assertVerdict(List<Operation<KvInput, KvOutput>> ops,
            Outcome expected) {
        CheckResult<KvInput, KvOutput> searchOnly = SEARCH_ONLY.check(ops);
        assertThat(searchOnly.outcome()).as("search only:\n%s", searchOnly.render()).isEqualTo(expected);
        CheckResult<KvInput, KvOutput> full = FULL.check(ops);
        assertThat(full.outcome()).as("with pre-check:\n%s", full.render()).isEqualTo(expected);
        return searchOnly;
    }

    @Nested
    class Sequential {

        @Test
        void emptyHistoryIsLinearizable() {
            assertVerdict(List.of(), Outcome.OK);
        }

        @Test
        void sequentialPutsGetsAndCasAreLinearizable() {
            assertVerdict(history(
                    get(0, "x", null, 0, 1),
                    put(0, "x", "a", 2, 3),
                    get(1, "x", "a", 4, 5),
                    put(1, "x", "b", 6, 7),
                    cas(0, "x", "b", "c", true, 8, 9),
                    get(2, "x", "c", 10, 11),
                    get(2, "y", null, 12, 13)), Outcome.OK);
        }

        @Test
        void sequentialReadOfOverwrittenValueIsIllegal() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 1),
                    put(0, "x", "b", 2, 3),
                    get(0, "x", "a", 4, 5)), Outcome.ILLEGAL);
        }
    }

    @Nested
    class Concurrent {

        @Test
        void overlappingWritesLinearizableInOnlyOneOrder() {
            // Only W2, R1, W1, R2 works: R1 sees b before W1 ends, R2 sees a after.
            assertVerdict(history(
                    put(0, "x", "a", 0, 50),
                    put(1, "x", "b", 10, 60),
                    get(2, "x", "b", 20, 30),
                    get(3, "x", "a", 40, 70)), Outcome.OK);
        }

        @Test
        void valueCannotComeBackWithoutBeingRewritten() {
            // b, a, b needs W2 twice.
            assertVerdict(history(
                    put(0, "x", "a", 0, 50),
                    put(1, "x", "b", 10, 60),
                    get(2, "x", "b", 20, 30),
                    get(3, "x", "a", 35, 38),
                    get(2, "x", "b", 55, 70)), Outcome.ILLEGAL);
        }

        @Test
        void staleReadAfterCompletedWriteIsIllegal() {
            CheckResult<KvInput, KvOutput> result = assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    put(1, "x", "b", 20, 30),
                    get(2, "x", "a", 40, 50)), Outcome.ILLEGAL);
            Violation<KvInput, KvOutput> v = result.firstViolation().orElseThrow();
            assertThat(v.partitionKey()).isEqualTo("x");
            assertThat(v.offending()).isEqualTo(get(2, "x", "a", 40, 50));
            assertThat(v.longestPrefix()).containsExactly(put(0, "x", "a", 0, 10), put(1, "x", "b", 20, 30));
            // The pre-check cannot see this one: "a" was written before the read.
            assertThat(KvReadsWrittenValues.INSTANCE.check(history(
                    put(0, "x", "a", 0, 10), put(1, "x", "b", 20, 30), get(2, "x", "a", 40, 50)))).isEmpty();
        }

        @Test
        void readOfValueFromWriteStartedAfterTheReadReturnedIsIllegal() {
            CheckResult<KvInput, KvOutput> result = assertVerdict(history(
                    get(0, "x", "a", 0, 10),
                    put(1, "x", "a", 20, 30)), Outcome.ILLEGAL);
            assertThat(result.firstViolation().orElseThrow().offending()).isEqualTo(get(0, "x", "a", 0, 10));
            assertThat(FULL.check(history(get(0, "x", "a", 0, 10), put(1, "x", "a", 20, 30)))
                    .firstViolation().orElseThrow().reason()).contains("after this op returned");
        }

        @Test
        void readConcurrentWithWriteMaySeeEitherValue() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    put(1, "x", "b", 20, 40),
                    get(2, "x", "a", 25, 30),
                    get(3, "x", "b", 25, 35)), Outcome.OK);
        }

        @Test
        void touchingIntervalsCountAsConcurrent() {
            // A call at the same instant as another op's return is ordered first.
            assertVerdict(history(
                    get(0, "x", "a", 0, 10),
                    put(1, "x", "a", 10, 20)), Outcome.OK);
        }

        @Test
        void keysAreCheckedIndependently() {
            CheckResult<KvInput, KvOutput> result = assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    put(1, "y", "a", 0, 10),
                    get(0, "x", "a", 20, 30),
                    put(1, "y", "b", 20, 30),
                    get(2, "y", "a", 40, 50)), Outcome.ILLEGAL);
            assertThat(result.partitions()).extracting(PartitionResult::key, PartitionResult::outcome)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("x", Outcome.OK),
                            org.assertj.core.groups.Tuple.tuple("y", Outcome.ILLEGAL));
            assertThat(result.firstViolation().orElseThrow().partitionKey()).isEqualTo("y");
        }
    }

    @Nested
    class CompareAndSet {

        @Test
        void casFromAbsentSucceedsOnEmptyKey() {
            assertVerdict(history(
                    cas(0, "x", null, "a", true, 0, 10),
                    get(1, "x", "a", 20, 30)), Outcome.OK);
        }

        @Test
        void casWithWrongExpectationFailsAndChangesNothing() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    cas(1, "x", "b", "c", false, 20, 30),
                    cas(1, "x", null, "c", false, 40, 50),
                    get(2, "x", "a", 60, 70)), Outcome.OK);
        }

        @Test
        void casReportingSwapWithWrongExpectationIsIllegal() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    cas(1, "x", "b", "c", true, 20, 30)), Outcome.ILLEGAL);
        }

        @Test
        void casReportingNoSwapWithRightExpectationIsIllegal() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    cas(1, "x", "a", "c", false, 20, 30)), Outcome.ILLEGAL);
        }

        @Test
        void casFailureConcurrentWithTheWriteItExpectedIsLegal() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    cas(1, "x", "a", "c", false, 5, 15),
                    get(2, "x", "a", 20, 30)), Outcome.OK);
        }

        @Test
        void twoConcurrentCasFromAbsentCannotBothSucceed() {
            assertVerdict(history(
                    cas(0, "x", null, "a", true, 0, 10),
                    cas(1, "x", null, "b", true, 0, 10)), Outcome.ILLEGAL);
        }

        @Test
        void twoConcurrentCasFromAbsentOneWinsAndReadsAgree() {
            assertVerdict(history(
                    cas(0, "x", null, "a", true, 0, 10),
                    cas(1, "x", null, "b", false, 0, 10),
                    get(2, "x", "a", 20, 30)), Outcome.OK);
            assertVerdict(history(
                    cas(0, "x", null, "a", true, 0, 10),
                    cas(1, "x", null, "b", false, 0, 10),
                    get(2, "x", "b", 20, 30)), Outcome.ILLEGAL);
        }
    }

    @Nested
    class UnknownOutcomes {

        @Test
        void unknownWriteMayTakeEffectLate() {
            assertVerdict(history(
                    putUnknown(0, "x", "a", 0),
                    get(1, "x", null, 10, 20),
                    get(1, "x", null, 30, 40),
                    get(2, "x", "a", 1_000, 1_010)), Outcome.OK);
        }

        @Test
        void unknownWriteMayNeverTakeEffect() {
            assertVerdict(history(
                    putUnknown(0, "x", "a", 0),
                    get(1, "x", null, 10, 20),
                    get(2, "x", null, 1_000, 1_010)), Outcome.OK);
        }

        @Test
        void unknownWriteIsTheOnlyExplanationForALaterRead() {
            assertVerdict(history(
                    putUnknown(0, "x", "a", 0),
                    get(1, "x", "a", 10, 20)), Outcome.OK);
            assertVerdict(history(
                    get(1, "x", "a", 10, 20)), Outcome.ILLEGAL);
        }

        @Test
        void unknownWriteCannotTakeEffectBeforeItsCall() {
            assertVerdict(history(
                    get(1, "x", "a", 0, 10),
                    putUnknown(0, "x", "a", 20)), Outcome.ILLEGAL);
        }

        @Test
        void unknownWriteTakesEffectAtMostOnce() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    putUnknown(1, "x", "b", 5),
                    get(2, "x", "b", 20, 30),
                    get(2, "x", "a", 40, 50)), Outcome.ILLEGAL);
        }

        @Test
        void unknownWriteMayTakeEffectAfterLaterCompletedWrites() {
            assertVerdict(history(
                    put(0, "x", "a", 0, 10),
                    putUnknown(1, "x", "b", 5),
                    put(0, "x", "c", 20, 30),
                    get(2, "x", "c", 40, 50),
                    get(2, "x", "b", 60, 70)), Outcome.OK);
        }

        @Test
        void unknownCasSwapsOnlyIfItsExpectationHolds() {
            assertVerdict(history(
                    casUnknown(0, "x", null, "a", 0),
                    get(1, "x", "a", 10, 20)), Outcome.OK);
            assertVerdict(history(
                    put(0, "x", "b", 0, 5),
                    casUnknown(1, "x", null, "a", 10),
                    get(2, "x", "a", 20, 30)), Outcome.ILLEGAL);
        }
    }

    @Nested
    class ThroughHistory {

        @Test
        void timedOutWriteIsRecordedAsUnknownAndFailedWriteIsDropped() {
            History<KvInput, KvOutput> h = new History<>();
            long timedOut = h.invoke(0, KvInput.put("x", "a"), 0);
            long failed = h.invoke(1, KvInput.put("x", "b"), 0);
            h.unknown(timedOut);
            h.fail(failed);
            long read = h.invoke(2, KvInput.get("x"), 50);
            h.ok(read, KvOutput.value("a"), 60);
            assertThat(FULL.check(h).outcome()).isEqualTo(Outcome.OK);

            long read2 = h.invoke(2, KvInput.get("x"), 70);
            h.ok(read2, KvOutput.value("b"), 80);
            assertThat(FULL.check(h).outcome()).isEqualTo(Outcome.ILLEGAL);
            assertThat(SEARCH_ONLY.check(h).outcome()).isEqualTo(Outcome.ILLEGAL);
        }
    }
}
