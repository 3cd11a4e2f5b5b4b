package io.ringraft.testkit.linearizability;

import static io.ringraft.testkit.linearizability.KvOps.FULL;
import static io.ringraft.testkit.linearizability.KvOps.SEARCH_ONLY;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.testkit.linearizability.RandomKvHistory.OpSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Soundness and completeness on random histories: linearizable-by-construction histories must pass,
 * and the same histories with one read corrupted in a provably non-linearizable way must fail.
 * Sizes stay small (5 clients, 3 keys, 40 ops) so searches never approach the budget.
 */
class KvLinearizabilityProperties {

    @Provide
    Arbitrary<List<OpSpec>> specs() {
        return opSpec().list().ofMinSize(1).ofMaxSize(40);
    }

    /** At least 15 ops, so that most histories contain a read worth corrupting. */
    @Provide
    Arbitrary<List<OpSpec>> longerSpecs() {
        return opSpec().list().ofMinSize(15).ofMaxSize(40);
    }

    private static Arbitrary<OpSpec> opSpec() {
        return Combinators.combine(
                Arbitraries.integers().between(0, RandomKvHistory.CLIENTS - 1),
                Arbitraries.integers().between(0, RandomKvHistory.KEYS - 1),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 9)).as(OpSpec::new);
    }

    @Property(tries = 300)
    void linearizableByConstructionIsOk(@ForAll("specs") List<OpSpec> specs, @ForAll boolean smallValuePool) {
        List<Operation<KvInput, KvOutput>> ops = RandomKvHistory.build(specs, smallValuePool);
        CheckResult<KvInput, KvOutput> full = FULL.check(ops);
        assertThat(full.outcome()).as(full.render()).isEqualTo(Outcome.OK);
        CheckResult<KvInput, KvOutput> searchOnly = SEARCH_ONLY.check(ops);
        assertThat(searchOnly.outcome()).as(searchOnly.render()).isEqualTo(Outcome.OK);
        Statistics.label("unknown ops").collect(ops.stream().anyMatch(Operation::isUnknown));
    }

    /** Replacing get {@code index}'s output by {@code value} makes the history non-linearizable. */
    private record Corruption(int index, String value, String mode) {
    }

    @Property(tries = 300, maxDiscardRatio = 10)
    void corruptedReadIsIllegal(@ForAll("longerSpecs") List<OpSpec> specs, @ForAll boolean preferStale,
            @ForAll int pick) {
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>(RandomKvHistory.build(specs, false));
        List<Corruption> candidates = corruptions(ops, preferStale ? "stale" : "future");
        if (candidates.isEmpty()) {
            candidates = corruptions(ops, preferStale ? "future" : "stale");
        }
        Assume.that(!candidates.isEmpty());
        Corruption c = candidates.get(Math.floorMod(pick, candidates.size()));
        Operation<KvInput, KvOutput> read = ops.get(c.index());
        assertThat(read.output()).isNotEqualTo(KvOutput.value(c.value()));
        ops.set(c.index(), Operation.completed(read.clientId(), read.input(), KvOutput.value(c.value()),
                read.call(), read.ret()));

        CheckResult<KvInput, KvOutput> searchOnly = SEARCH_ONLY.check(ops);
        assertThat(searchOnly.outcome()).as("%s\n%s", c, searchOnly.render()).isEqualTo(Outcome.ILLEGAL);
        CheckResult<KvInput, KvOutput> full = FULL.check(ops);
        assertThat(full.outcome()).as("%s\n%s", c, full.render()).isEqualTo(Outcome.ILLEGAL);
        Statistics.label("mode").collect(c.mode());
    }

    /**
     * Provably non-linearizable corruptions of completed gets, given that every write has a unique
     * value (so a value's only possible source is its one writer):
     * <ul>
     *   <li>"future": the value's writer was invoked after the get returned, so it cannot have taken
     *       effect within the get's interval;
     *   <li>"stale": the value's writer returned before a completed, definitely effective write of
     *       another value to the key was invoked, which itself returned before the get was invoked;
     *       so the value was overwritten before the get began and nothing can write it again.
     * </ul>
     * Neither argument depends on what unknown-outcome ops did, since none of them writes the value.
     */
    private static List<Corruption> corruptions(List<Operation<KvInput, KvOutput>> ops, String mode) {
        Map<String, Integer> writerOf = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            String v = writtenValue(ops.get(i).input());
            if (v != null && writerOf.put(v, i) != null) {
                throw new IllegalStateException("values must be unique: " + v);
            }
        }
        List<Corruption> out = new ArrayList<>();
        for (int g = 0; g < ops.size(); g++) {
            Operation<KvInput, KvOutput> read = ops.get(g);
            if (read.isUnknown() || !(read.input() instanceof KvInput.Get get)) {
                continue;
            }
            for (Map.Entry<String, Integer> e : writerOf.entrySet()) {
                Operation<KvInput, KvOutput> w = ops.get(e.getValue());
                if (!w.input().key().equals(get.key())) {
                    continue;
                }
                boolean future = w.call() > read.ret();
                boolean stale = !future && ops.stream().anyMatch(o -> o != w
                        && o.input().key().equals(get.key())
                        && definitelyWrote(o)
                        && w.ret() < o.call()
                        && o.ret() < read.call());
                if (mode.equals("future") ? future : stale) {
                    out.add(new Corruption(g, e.getKey(), mode));
                }
            }
        }
        out.sort(Comparator.comparingInt(Corruption::index).thenComparing(Corruption::value));
        return out;
    }

    private static String writtenValue(KvInput input) {
        if (input instanceof KvInput.Put put) {
            return put.value();
        }
        return input instanceof KvInput.Cas cas ? cas.newValue() : null;
    }

    private static boolean definitelyWrote(Operation<KvInput, KvOutput> op) {
        if (op.isUnknown()) {
            return false;
        }
        return op.input() instanceof KvInput.Put
                || op.input() instanceof KvInput.Cas && op.output() instanceof KvOutput.CasResult r && r.swapped();
    }
}
