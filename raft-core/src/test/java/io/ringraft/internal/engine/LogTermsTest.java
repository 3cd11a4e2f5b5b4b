package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.id;
import static io.ringraft.internal.engine.EngineTestSupport.logTerms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import org.junit.jupiter.api.Test;

class LogTermsTest {

    @Test
    void anEmptyLogFromZero() {
        LogTerms log = LogTerms.startingAfter(LogId.ZERO);

        assertThat(log.base()).isEqualTo(LogId.ZERO);
        assertThat(log.lastIndex()).isZero();
        assertThat(log.lastTerm()).isZero();
        assertThat(log.last()).isEqualTo(LogId.ZERO);
        assertThat(log.termAt(0)).isZero();
        assertThat(log.termAt(1)).isEqualTo(-1);
        assertThat(log.contains(LogId.ZERO)).isTrue();
        assertThat(log.contains(id(1, 1))).isFalse();
        assertThat(log.lastIndexWithTermAtMost(5, 3)).isZero();
        assertThat(log.lastIndexWithTermAtMost(0, 0)).isZero();
        assertThat(log.runCount()).isZero();
    }

    @Test
    void anEmptyLogAfterABase() {
        LogTerms log = LogTerms.startingAfter(id(5, 10));

        assertThat(log.last()).isEqualTo(id(5, 10));
        assertThat(log.termAt(10)).isEqualTo(5);
        assertThat(log.termAt(9)).isEqualTo(-1);
        assertThat(log.termAt(11)).isEqualTo(-1);
        assertThat(log.contains(id(5, 10))).isTrue();
        assertThat(log.contains(id(4, 10))).isFalse();
        assertThat(log.lastIndexWithTermAtMost(20, 9)).isEqualTo(10);
        assertThat(log.lastIndexWithTermAtMost(10, 5)).isEqualTo(10);
    }

    @Test
    void appendsCoalesceEqualTermsIntoRuns() {
        LogTerms log = LogTerms.startingAfter(LogId.ZERO);
        log.append(1, 3);
        log.append(1, 2);
        assertThat(log.runCount()).isEqualTo(1);
        log.append(3, 2);
        log.append(5, 1);
        log.append(5, 0);

        assertThat(log.runCount()).isEqualTo(3);
        assertThat(log.last()).isEqualTo(id(5, 8));
        long[] expected = {0, 1, 1, 1, 1, 1, 3, 3, 5};
        for (int i = 0; i < expected.length; i++) {
            assertThat(log.termAt(i)).as("termAt(%d)", i).isEqualTo(expected[i]);
        }
        assertThat(log.termAt(9)).isEqualTo(-1);
        assertThat(log.toString()).isEqualTo("LogTerms[base=0-0 1..5:T1 6..7:T3 8..8:T5]");
    }

    @Test
    void aRunWithTheBaseTermStillStartsARun() {
        LogTerms log = LogTerms.startingAfter(id(2, 5));
        log.append(2, 2);

        assertThat(log.runCount()).isEqualTo(1);
        assertThat(log.termAt(6)).isEqualTo(2);
        assertThat(log.termAt(7)).isEqualTo(2);
        assertThat(log.last()).isEqualTo(id(2, 7));
    }

    @Test
    void termsNeverDecreaseAndCountsAreNotNegative() {
        LogTerms log = LogTerms.startingAfter(id(3, 4));
        assertThatThrownBy(() -> log.append(2, 1)).isInstanceOf(IllegalArgumentException.class);
        log.append(4, 1);
        assertThatThrownBy(() -> log.append(3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(5, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.last()).isEqualTo(id(4, 5));
    }

    @Test
    void truncatingToBasePlusOneEmptiesTheLog() {
        LogTerms log = LogTerms.startingAfter(id(2, 5));
        log.append(3, 2);
        log.append(4, 1);

        log.truncateFrom(6);

        assertThat(log.last()).isEqualTo(id(2, 5));
        assertThat(log.runCount()).isZero();
        assertThat(log.termAt(6)).isEqualTo(-1);
        assertThat(log.termAt(5)).isEqualTo(2);
        log.append(2, 1); // the base's term again: allowed
        assertThat(log.last()).isEqualTo(id(2, 6));
        assertThatThrownBy(() -> log.append(1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncationBoundaries() {
        LogTerms log = LogTerms.startingAfter(id(2, 5));
        log.append(3, 3); // 6..8

        assertThatThrownBy(() -> log.truncateFrom(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateFrom(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateFrom(10)).isInstanceOf(IllegalArgumentException.class);
        log.truncateFrom(9); // just past the end: nothing to remove
        assertThat(log.last()).isEqualTo(id(3, 8));
        assertThat(log.runCount()).isEqualTo(1);
    }

    @Test
    void truncatingInsideARunKeepsItsHeadAndLetsTheSameTermGrowAgain() {
        LogTerms log = logTerms(1, 1, 2, 2, 2, 3);

        log.truncateFrom(4);
        assertThat(log.last()).isEqualTo(id(2, 3));
        assertThat(log.runCount()).isEqualTo(2);

        log.append(2, 2);
        assertThat(log.runCount()).isEqualTo(2);
        assertThat(log.last()).isEqualTo(id(2, 5));

        log.truncateFrom(3); // exactly at a run start: the run goes
        assertThat(log.runCount()).isEqualTo(1);
        assertThat(log.last()).isEqualTo(id(1, 2));
        log.append(4, 1);
        assertThat(log.termAt(3)).isEqualTo(4);
        assertThat(log.termAt(2)).isEqualTo(1);
    }

    @Test
    void lastIndexWithTermAtMostAcrossSeveralRuns() {
        LogTerms log = logTerms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);

        assertThat(log.lastIndexWithTermAtMost(10, 6)).isEqualTo(10);
        assertThat(log.lastIndexWithTermAtMost(10, 9)).isEqualTo(10);
        assertThat(log.lastIndexWithTermAtMost(100, 6)).isEqualTo(10);
        assertThat(log.lastIndexWithTermAtMost(10, 5)).isEqualTo(7);
        assertThat(log.lastIndexWithTermAtMost(10, 4)).isEqualTo(5);
        assertThat(log.lastIndexWithTermAtMost(10, 3)).isEqualTo(3);
        assertThat(log.lastIndexWithTermAtMost(10, 1)).isEqualTo(3);
        assertThat(log.lastIndexWithTermAtMost(10, 0)).isZero();
        assertThat(log.lastIndexWithTermAtMost(6, 4)).isEqualTo(5);
        assertThat(log.lastIndexWithTermAtMost(6, 5)).isEqualTo(6);
        assertThat(log.lastIndexWithTermAtMost(4, 4)).isEqualTo(4);
        assertThat(log.lastIndexWithTermAtMost(3, 0)).isZero();
        assertThat(log.lastIndexWithTermAtMost(0, 9)).isZero();
    }

    @Test
    void lastIndexWithTermAtMostStopsAtTheBase() {
        LogTerms log = LogTerms.startingAfter(id(2, 5));
        log.append(3, 2);
        log.append(4, 2); // 6..7:T3 8..9:T4

        assertThat(log.lastIndexWithTermAtMost(9, 3)).isEqualTo(7);
        assertThat(log.lastIndexWithTermAtMost(9, 2)).isEqualTo(5);
        assertThat(log.lastIndexWithTermAtMost(9, 1)).isEqualTo(5); // none held: the base index
        assertThat(log.lastIndexWithTermAtMost(5, 9)).isEqualTo(5);
    }

    @Test
    void manyRunsGrowTheArrays() {
        LogTerms log = LogTerms.startingAfter(LogId.ZERO);
        for (int t = 1; t <= 40; t++) {
            log.append(t * 2L, t);
        }
        assertThat(log.runCount()).isEqualTo(40);
        long index = 0;
        for (int t = 1; t <= 40; t++) {
            for (int k = 0; k < t; k++) {
                index++;
                assertThat(log.termAt(index)).isEqualTo(t * 2L);
            }
            assertThat(log.lastIndexWithTermAtMost(log.lastIndex(), t * 2L + 1)).isEqualTo(index);
        }
        assertThat(log.last()).isEqualTo(id(80, index));
    }
    @Test
    void compactingInsideARunKeepsItsTailAndMakesTheCutTheBase() {
        LogTerms log = logTerms(1, 1, 2, 2, 2, 3);

        log.compactTo(4);

        assertThat(log.base()).isEqualTo(id(2, 4));
        assertThat(log.last()).isEqualTo(id(3, 6));
        assertThat(log.runCount()).isEqualTo(2);
        assertThat(log.toString()).isEqualTo("LogTerms[base=2-4 5..5:T2 6..6:T3]");
        assertThat(log.termAt(3)).isEqualTo(-1);
        assertThat(log.termAt(4)).isEqualTo(2);
        assertThat(log.termAt(5)).isEqualTo(2);
        assertThat(log.termAt(6)).isEqualTo(3);
        assertThat(log.contains(id(2, 4))).isTrue();
        assertThat(log.contains(id(1, 2))).isFalse();
        assertThat(log.lastIndexWithTermAtMost(6, 2)).isEqualTo(5);
        assertThat(log.lastIndexWithTermAtMost(6, 1)).isEqualTo(4); // none held: the base
        assertThat(log.lastIndexWithTermAtMost(2, 9)).isEqualTo(2); // below the base: the index itself
    }

    @Test
    void compactingAtARunEndDropsTheWholeRun() {
        LogTerms log = logTerms(1, 1, 2, 2, 2, 3);

        log.compactTo(5);

        assertThat(log.base()).isEqualTo(id(2, 5));
        assertThat(log.runCount()).isEqualTo(1);
        assertThat(log.toString()).isEqualTo("LogTerms[base=2-5 6..6:T3]");
        log.compactTo(2); // at or below the base: nothing
        log.compactTo(5);
        assertThat(log.base()).isEqualTo(id(2, 5));
        assertThat(log.last()).isEqualTo(id(3, 6));
    }

    @Test
    void compactingToTheLastEntryLeavesAnEmptyLogAfterIt() {
        LogTerms log = logTerms(1, 2, 2);

        log.compactTo(3);

        assertThat(log.base()).isEqualTo(id(2, 3));
        assertThat(log.last()).isEqualTo(id(2, 3));
        assertThat(log.runCount()).isZero();
        assertThat(log.termAt(3)).isEqualTo(2);
        assertThat(log.termAt(4)).isEqualTo(-1);
        assertThatThrownBy(() -> log.append(1, 1)).isInstanceOf(IllegalArgumentException.class);
        log.append(2, 1);
        assertThat(log.runCount()).isEqualTo(1);
        assertThat(log.last()).isEqualTo(id(2, 4));
    }

    @Test
    void compactionBoundaries() {
        LogTerms log = logTerms(1, 1, 2);
        assertThatThrownBy(() -> log.compactTo(4)).isInstanceOf(IllegalArgumentException.class);
        log.compactTo(0);
        assertThat(log.base()).isEqualTo(LogId.ZERO);

        log.compactTo(2);
        assertThatThrownBy(() -> log.truncateFrom(2)).isInstanceOf(IllegalArgumentException.class);
        log.truncateFrom(3);
        assertThat(log.last()).isEqualTo(id(1, 2));
        assertThat(log.runCount()).isZero();
    }

    @Test
    void resettingForgetsTheWholeLog() {
        LogTerms log = logTerms(1, 1, 2, 2, 3);

        log.resetTo(id(4, 9));

        assertThat(log.base()).isEqualTo(id(4, 9));
        assertThat(log.last()).isEqualTo(id(4, 9));
        assertThat(log.runCount()).isZero();
        assertThat(log.termAt(5)).isEqualTo(-1);
        assertThat(log.termAt(9)).isEqualTo(4);
        log.append(5, 2);
        assertThat(log.toString()).isEqualTo("LogTerms[base=4-9 10..11:T5]");
    }

    @Test
    void resettingInsideTheLogOrAtTheBaseAlsoForgetsEverythingButNotBeforeTheBase() {
        LogTerms log = LogTerms.startingAfter(id(1, 3));
        log.append(1, 2);
        log.append(2, 3); // 4..5:T1 6..8:T2

        log.resetTo(id(3, 6)); // inside the log, another term than held there
        assertThat(log.last()).isEqualTo(id(3, 6));
        assertThat(log.termAt(7)).isEqualTo(-1);
        assertThat(log.runCount()).isZero();

        log.resetTo(id(5, 6)); // at the base
        assertThat(log.base()).isEqualTo(id(5, 6));
        assertThatThrownBy(() -> log.resetTo(id(9, 5))).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.base()).isEqualTo(id(5, 6));
    }
}
