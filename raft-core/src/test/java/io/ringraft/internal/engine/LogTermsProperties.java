package io.ringraft.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** {@link LogTerms} against a naive per-index array of terms. */
class LogTermsProperties {

    sealed interface Op permits Append, Truncate, Compact, Reset {
    }

    /** Appends {@code count} entries of the last term plus {@code termDelta}. */
    record Append(int termDelta, int count) implements Op {
    }

    /** Truncates at a valid index picked by {@code position} (base+1 .. last+1). */
    record Truncate(int position) implements Op {
    }

    /** Compacts to an index picked by {@code position} (base .. last; at the base it does nothing). */
    record Compact(int position) implements Op {
    }

    /**
     * Resets to a new base picked by {@code position} (base .. last + 3) with the last term plus
     * {@code termDelta}.
     */
    record Reset(int position, int termDelta) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> opsWithCompaction() {
        Arbitrary<Op> append = Arbitraries.integers().between(0, 2)
                .flatMap(d -> Arbitraries.integers().between(0, 4).map(c -> (Op) new Append(d, c)));
        Arbitrary<Op> truncate = Arbitraries.integers().between(0, 1000).map(p -> (Op) new Truncate(p));
        Arbitrary<Op> compact = Arbitraries.integers().between(0, 1000).map(p -> (Op) new Compact(p));
        Arbitrary<Op> reset = Arbitraries.integers().between(0, 1000)
                .flatMap(p -> Arbitraries.integers().between(0, 2).map(d -> (Op) new Reset(p, d)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, append),
                net.jqwik.api.Tuple.of(2, truncate),
                net.jqwik.api.Tuple.of(2, compact),
                net.jqwik.api.Tuple.of(1, reset)).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> append = Arbitraries.integers().between(0, 2)
                .flatMap(d -> Arbitraries.integers().between(0, 4).map(c -> (Op) new Append(d, c)));
        Arbitrary<Op> truncate = Arbitraries.integers().between(0, 1000).map(p -> (Op) new Truncate(p));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, append),
                net.jqwik.api.Tuple.of(1, truncate)).list().ofMaxSize(40);
    }

    /** The naive model: base plus one term per held index. */
    static final class Model {
        long baseIndex;
        long baseTerm;
        final List<Long> terms = new ArrayList<>();

        Model(long baseIndex, long baseTerm) {
            this.baseIndex = baseIndex;
            this.baseTerm = baseTerm;
        }

        long lastIndex() {
            return baseIndex + terms.size();
        }

        long lastTerm() {
            return terms.isEmpty() ? baseTerm : terms.get(terms.size() - 1);
        }

        long termAt(long index) {
            if (index == baseIndex) {
                return baseTerm;
            }
            if (index < baseIndex || index > lastIndex()) {
                return -1;
            }
            return terms.get((int) (index - baseIndex - 1));
        }

        int runs() {
            int runs = 0;
            for (int i = 0; i < terms.size(); i++) {
                if (i == 0 || !terms.get(i).equals(terms.get(i - 1))) {
                    runs++;
                }
            }
            return runs;
        }

        /** ans[k] for index baseIndex + k, k in 0..size: the largest j <= index with term <= t, else base. */
        long[] lastIndexWithTermAtMost(long t) {
            long[] ans = new long[terms.size() + 1];
            ans[0] = baseIndex;
            for (int k = 1; k <= terms.size(); k++) {
                ans[k] = terms.get(k - 1) <= t ? baseIndex + k : ans[k - 1];
            }
            return ans;
        }
    }

    @Property
    void behavesLikeAnArrayOfTerms(@ForAll @IntRange(min = 0, max = 5) int baseIndex,
                                   @ForAll @IntRange(min = 0, max = 3) int baseTermRaw,
                                   @ForAll("ops") List<Op> ops) {
        long baseTerm = baseIndex == 0 ? 0 : baseTermRaw;
        LogTerms log = LogTerms.startingAfter(new LogId(baseTerm, baseIndex));
        Model model = new Model(baseIndex, baseTerm);
        check(log, model);
        for (Op op : ops) {
            apply(op, log, model);
            check(log, model);
        }
        long last = model.lastIndex();
        assertThatThrownBy(() -> log.truncateFrom(model.baseIndex)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateFrom(last + 2)).isInstanceOf(IllegalArgumentException.class);
        if (model.lastTerm() > 0) {
            assertThatThrownBy(() -> log.append(model.lastTerm() - 1, 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        check(log, model);
    }

    /** As above, with compaction (snapshots) and resets (a snapshot installed over the log) mixed in. */
    @Property
    void compactionAndResetBehaveLikeAnArrayOfTerms(@ForAll @IntRange(min = 0, max = 5) int baseIndex,
                                                    @ForAll @IntRange(min = 0, max = 3) int baseTermRaw,
                                                    @ForAll("opsWithCompaction") List<Op> ops) {
        long baseTerm = baseIndex == 0 ? 0 : baseTermRaw;
        LogTerms log = LogTerms.startingAfter(new LogId(baseTerm, baseIndex));
        Model model = new Model(baseIndex, baseTerm);
        check(log, model);
        for (Op op : ops) {
            apply(op, log, model);
            check(log, model);
        }
        long base = model.baseIndex;
        long last = model.lastIndex();
        assertThatThrownBy(() -> log.compactTo(last + 1)).isInstanceOf(IllegalArgumentException.class);
        if (base > 0) {
            assertThatThrownBy(() -> log.resetTo(new LogId(model.lastTerm(), base - 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        log.compactTo(base); // at the base: nothing
        check(log, model);
    }

    private static void apply(Op op, LogTerms log, Model model) {
        if (op instanceof Append a) {
            long term = model.lastTerm() + a.termDelta();
            log.append(term, a.count());
            for (int i = 0; i < a.count(); i++) {
                model.terms.add(term);
            }
        } else if (op instanceof Truncate t) {
            long index = model.baseIndex + 1 + t.position() % (model.terms.size() + 1);
            log.truncateFrom(index);
            model.terms.subList((int) (index - model.baseIndex - 1), model.terms.size()).clear();
        } else if (op instanceof Compact c) {
            long index = model.baseIndex + c.position() % (model.terms.size() + 1);
            log.compactTo(index);
            long term = model.termAt(index);
            model.terms.subList(0, (int) (index - model.baseIndex)).clear();
            model.baseIndex = index;
            model.baseTerm = term;
        } else if (op instanceof Reset r) {
            long index = model.baseIndex + r.position() % (model.terms.size() + 4);
            long term = model.lastTerm() + r.termDelta();
            log.resetTo(new LogId(term, index));
            model.terms.clear();
            model.baseIndex = index;
            model.baseTerm = term;
        }
    }

    private static void check(LogTerms log, Model model) {
        assertThat(log.lastIndex()).isEqualTo(model.lastIndex());
        assertThat(log.lastTerm()).isEqualTo(model.lastTerm());
        assertThat(log.last()).isEqualTo(new LogId(model.lastTerm(), model.lastIndex()));
        assertThat(log.base()).isEqualTo(new LogId(model.baseTerm, model.baseIndex));
        assertThat(log.runCount()).isEqualTo(model.runs());
        for (long i = Math.max(0, model.baseIndex - 2); i <= model.lastIndex() + 2; i++) {
            assertThat(log.termAt(i)).as("termAt(%d) of %s", i, log).isEqualTo(model.termAt(i));
        }
        // Every distinct answer shows up for some t in {0, each term, each term - 1, max + 1}.
        TreeSet<Long> probes = new TreeSet<>();
        probes.add(0L);
        probes.add(model.baseTerm);
        for (long term : model.terms) {
            probes.add(term);
            probes.add(Math.max(0, term - 1));
        }
        probes.add(model.lastTerm() + 1);
        for (long t : probes) {
            long[] expected = model.lastIndexWithTermAtMost(t);
            for (long i = model.baseIndex; i <= model.lastIndex() + 2; i++) {
                long want = expected[(int) Math.min(i, model.lastIndex()) - (int) model.baseIndex];
                assertThat(log.lastIndexWithTermAtMost(i, t))
                        .as("lastIndexWithTermAtMost(%d, %d) of %s", i, t, log).isEqualTo(want);
            }
        }
    }
}
