package io.ringraft.testkit.linearizability;

import static io.ringraft.testkit.linearizability.KvOps.FULL;
import static io.ringraft.testkit.linearizability.KvOps.SEARCH_ONLY;
import static io.ringraft.testkit.linearizability.KvOps.get;
import static io.ringraft.testkit.linearizability.KvOps.history;
import static io.ringraft.testkit.linearizability.KvOps.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.testkit.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    /** n concurrent puts of distinct values, then a read of "absent": illegal, but only after a wide search. */
    private static List<Operation<KvInput, KvOutput>> wideIllegalHistory(String key, int n) {
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(put(i, key, "v" + i, 0, 100));
        }
        ops.add(get(n, key, null, 200, 210));
        return ops;
    }

    @Test
    void exhaustedBudgetGivesUnknownAndIsDeterministic() {
        var checker = KvLinearizability.checker(100);
        CheckResult<KvInput, KvOutput> result = checker.check(wideIllegalHistory("x", 10));
        assertThat(result.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(result.partitions().get(0).steps()).isEqualTo(100);
        assertThat(result.partitions().get(0).violation()).isNull();
        assertThat(checker.check(wideIllegalHistory("x", 10))).isEqualTo(result);
    }

    @Test
    void wideSearchFinishesWithinTheDefaultBudget() {
        CheckResult<KvInput, KvOutput> result = FULL.check(wideIllegalHistory("x", 10));
        assertThat(result.outcome()).isEqualTo(Outcome.ILLEGAL);
        assertThat(result.totalSteps()).isLessThan(LinearizabilityChecker.DEFAULT_STEP_BUDGET);
        assertThat(result.firstViolation().orElseThrow().offending()).isEqualTo(get(10, "x", null, 200, 210));
    }

    @Test
    void illegalPartitionWinsOverUnknownOne() {
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>(wideIllegalHistory("x", 10));
        ops.add(get(0, "y", "never", 0, 1));
        CheckResult<KvInput, KvOutput> result = KvLinearizability.checker(100).check(ops);
        assertThat(result.outcome()).isEqualTo(Outcome.ILLEGAL);
        assertThat(result.partitions()).extracting(PartitionResult::outcome)
                .containsExactly(Outcome.UNKNOWN, Outcome.ILLEGAL);
        assertThat(result.partitions().get(1).steps()).isZero();
    }

    @Test
    void violationReportShowsPrefixStatesAndCandidates() {
        CheckResult<KvInput, KvOutput> result = SEARCH_ONLY.check(history(
                put(0, "x", "a", 0, 10),
                put(1, "x", "b", 20, 30),
                get(2, "x", "a", 40, 50)));
        String report = result.render();
        assertThat(result.firstViolation().orElseThrow().lines()).containsExactly(
                "key=x: NOT LINEARIZABLE: c2 get(x) -> \"a\" [40, 50] cannot be linearized after the longest"
                        + " legal prefix (2 of 3 ops)",
                "  initial state: {}",
                "  longest linearizable prefix (2 of 3 ops):",
                "    1. c0 put(x, \"a\") -> ok [0, 10]  => {x=\"a\"}",
                "    2. c1 put(x, \"b\") -> ok [20, 30]  => {x=\"b\"}",
                "  then in state {x=\"b\"}, c2 get(x) -> \"a\" [40, 50] must take effect before it returns,"
                        + " but no eligible op leads to a linearization:",
                "    c2 get(x) -> \"a\" [40, 50]: illegal here");
        assertThat(report).startsWith("linearizability: ILLEGAL (1 partitions, ").contains("key=x: ILLEGAL (3 ops, ");
    }

    @Test
    void unknownOperationsPrintWithOpenInterval() {
        assertThat(ViolationReport.describe(KvModel.INSTANCE, KvOps.putUnknown(3, "k", "v", 7)))
                .isEqualTo("c3 put(k, \"v\") -> ? [7, ?)");
    }

    @Test
    void singlePartitionChecksMultiKeyHistoriesToo() {
        var single = LinearizabilityChecker.builder(KvModel.INSTANCE).build();
        assertThat(single.check(history(
                put(0, "x", "a", 0, 10),
                put(1, "y", "b", 0, 10),
                get(2, "x", "a", 20, 30),
                get(2, "y", "b", 40, 50))).outcome()).isEqualTo(Outcome.OK);
        assertThat(single.check(history(
                put(0, "x", "a", 0, 10),
                put(1, "y", "b", 20, 30),
                get(2, "x", null, 40, 50))).outcome()).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void rejectsNonPositiveBudget() {
        assertThatThrownBy(() -> KvLinearizability.builder().stepBudget(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A counter whose increments return the new value; shows the API is not KV-specific. */
    private static final class Counter implements Model<Long, String, Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public Long step(Long state, String input, Long output) {
            long next = input.equals("inc") ? state + 1 : state;
            return output == next ? next : null;
        }

        @Override
        public Long stepUnknown(Long state, String input) {
            return input.equals("inc") ? state + 1 : state;
        }
    }

    @Test
    void worksWithOtherModels() {
        var checker = LinearizabilityChecker.builder(new Counter()).build();
        assertThat(checker.check(List.of(
                Operation.completed(0, "inc", 2L, 0, 10),
                Operation.completed(1, "inc", 1L, 0, 10),
                Operation.unknown(2, "inc", 5),
                Operation.completed(3, "read", 3L, 20, 30))).outcome()).isEqualTo(Outcome.OK);
        assertThat(checker.check(List.of(
                Operation.completed(0, "inc", 1L, 0, 10),
                Operation.completed(1, "inc", 1L, 0, 10))).outcome()).isEqualTo(Outcome.ILLEGAL);
    }
}
