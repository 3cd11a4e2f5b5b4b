package io.ringraft.internal.engine.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link IoProgress} against a naive model that remembers, for every index of the current log, the
 * seq of the write that put it there.
 */
class IoProgressProperties {

    sealed interface Op permits Append, Truncate, Flush, SaveVote {
    }

    record Append(int count) implements Op {
    }

    /** Truncates from an index picked by {@code position} in 1 .. last+1. */
    record Truncate(int position) implements Op {
    }

    /** Reports a seq picked by {@code position} in 0 .. accepted (stale reports included). */
    record Flush(int position) implements Op {
    }

    record SaveVote() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 3).map(c -> (Op) new Append(c))),
                Tuple.of(1, Arbitraries.integers().between(0, 1000).map(p -> (Op) new Truncate(p))),
                Tuple.of(3, Arbitraries.integers().between(0, 1000).map(p -> (Op) new Flush(p))),
                Tuple.of(1, Arbitraries.just((Op) new SaveVote())))
                .list().ofMaxSize(60);
    }

    /** The naive model. */
    static final class Model {
        /** seqOf.get(i - 1): the seq of the write that put index i in the current log (0: recovered). */
        final List<Long> seqOf = new ArrayList<>();
        long accepted;
        long flushed;
        long voteSeq;

        long durableIndex() {
            int i = 0;
            while (i < seqOf.size() && seqOf.get(i) <= flushed) {
                i++;
            }
            return i;
        }
    }

    @Property
    void withRoomForEveryMarkDurableIndexIsExact(@ForAll @IntRange(min = 0, max = 5) int recovered,
                                                  @ForAll("ops") List<Op> ops) {
        run(recovered, 1000, ops, true);
    }

    @Property
    void withFewMarksDurableIndexIsNeverAheadAndCatchesUpOnAFullFlush(
            @ForAll @IntRange(min = 0, max = 5) int recovered,
            @ForAll @IntRange(min = 2, max = 4) int maxMarks,
            @ForAll("ops") List<Op> ops) {
        run(recovered, maxMarks, ops, false);
    }

    private static void run(int recovered, int maxMarks, List<Op> ops, boolean exact) {
        IoProgress io = new IoProgress(recovered, maxMarks);
        Model model = new Model();
        for (int i = 0; i < recovered; i++) {
            model.seqOf.add(0L);
        }
        for (Op op : ops) {
            if (op instanceof Append a) {
                long seq = ++model.accepted;
                for (int i = 0; i < a.count(); i++) {
                    model.seqOf.add(seq);
                }
                assertThat(io.appended(model.seqOf.size())).isEqualTo(seq);
            } else if (op instanceof Truncate t) {
                int from = 1 + t.position() % (model.seqOf.size() + 1);
                model.seqOf.subList(from - 1, model.seqOf.size()).clear();
                assertThat(io.truncated(from)).isEqualTo(++model.accepted);
            } else if (op instanceof Flush f) {
                long seq = f.position() % (model.accepted + 1);
                boolean fresh = seq > model.flushed;
                assertThat(io.flushed(seq)).isEqualTo(fresh);
                if (fresh) {
                    model.flushed = seq;
                }
            } else {
                model.voteSeq = ++model.accepted;
                assertThat(io.voteSaved()).isEqualTo(model.voteSeq);
            }
            check(io, model, exact, op);
        }
        long accepted = model.accepted;
        assertThatThrownBy(() -> io.flushed(accepted + 1)).isInstanceOf(IllegalStateException.class);

        // Everything reported: no mark may hold durability back any longer.
        if (model.accepted > model.flushed) {
            io.flushed(model.accepted);
            model.flushed = model.accepted;
        }
        check(io, model, true, "final full flush");
        assertThat(io.durableIndex()).isEqualTo(model.seqOf.size());
    }

    private static void check(IoProgress io, Model model, boolean exact, Object after) {
        assertThat(io.acceptedSeq()).isEqualTo(model.accepted);
        assertThat(io.flushedSeq()).isEqualTo(model.flushed);
        assertThat(io.voteDurable()).isEqualTo(model.flushed >= model.voteSeq);
        long naive = model.durableIndex();
        if (exact) {
            assertThat(io.durableIndex()).as("after %s: %s", after, io).isEqualTo(naive);
        } else {
            assertThat(io.durableIndex()).as("after %s: %s", after, io).isLessThanOrEqualTo(naive);
        }
    }
}
