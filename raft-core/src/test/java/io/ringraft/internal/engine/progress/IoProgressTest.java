package io.ringraft.internal.engine.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IoProgressTest {

    @Test
    void startsWithTheRecoveredLogDurableAndTheVoteDurable() {
        IoProgress io = new IoProgress(7, 4);

        assertThat(io.durableIndex()).isEqualTo(7);
        assertThat(io.acceptedSeq()).isZero();
        assertThat(io.flushedSeq()).isZero();
        assertThat(io.voteDurable()).isTrue();
        assertThatThrownBy(() -> new IoProgress(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVoteIsDurableOnceAReportCoversItsSeq() {
        IoProgress io = new IoProgress(0, 4);
        long a = io.voteSaved();
        long b = io.appended(3);
        long c = io.voteSaved();
        assertThat(new long[] {a, b, c}).containsExactly(1, 2, 3);
        assertThat(io.voteDurable()).isFalse();

        assertThat(io.flushed(2)).isTrue();
        assertThat(io.voteDurable()).isFalse(); // the newest vote is seq 3
        assertThat(io.durableIndex()).isEqualTo(3);

        assertThat(io.flushed(3)).isTrue();
        assertThat(io.voteDurable()).isTrue();
    }

    @Test
    void appendsBecomeDurableInSeqOrder() {
        IoProgress io = new IoProgress(2, 4);
        long s1 = io.appended(4);
        long s2 = io.appended(6);

        assertThat(io.durableIndex()).isEqualTo(2);
        io.flushed(s1);
        assertThat(io.durableIndex()).isEqualTo(4);
        io.flushed(s2);
        assertThat(io.durableIndex()).isEqualTo(6);
    }

    @Test
    void staleReportsAreIgnoredAndUnknownOnesThrow() {
        IoProgress io = new IoProgress(0, 4);
        io.appended(1);
        io.appended(2);

        assertThat(io.flushed(0)).isFalse();
        assertThat(io.flushed(2)).isTrue();
        assertThat(io.flushed(1)).isFalse();
        assertThat(io.flushed(2)).isFalse();
        assertThat(io.flushedSeq()).isEqualTo(2);
        assertThat(io.durableIndex()).isEqualTo(2);
        assertThatThrownBy(() -> io.flushed(3)).isInstanceOf(IllegalStateException.class);
        assertThat(io.flushedSeq()).isEqualTo(2);
    }

    @Test
    void aTruncationLowersDurableIndexAtOnce() {
        IoProgress io = new IoProgress(10, 4);

        io.truncated(6);

        assertThat(io.durableIndex()).isEqualTo(5);
        assertThat(io.acceptedSeq()).isEqualTo(1);
    }

    @Test
    void truncateAndReAppendIsCountedOnlyForTheReAppend() {
        // Appended 1..3 (seq 1), truncated from 2 (seq 2), re-appended 2..3 (seq 3).
        IoProgress io = new IoProgress(0, 4);
        long a = io.appended(3);
        io.truncated(2);
        long b = io.appended(3);

        io.flushed(a);
        assertThat(io.durableIndex()).isEqualTo(1); // only the prefix that survived the cut
        io.flushed(b - 1);
        assertThat(io.durableIndex()).isEqualTo(1);
        io.flushed(b);
        assertThat(io.durableIndex()).isEqualTo(3);
    }

    @Test
    void truncatingBelowEveryPendingAppendLeavesNothingToGain() {
        IoProgress io = new IoProgress(0, 4);
        long a = io.appended(2);
        long b = io.appended(5);
        io.truncated(1);

        io.flushed(b);
        assertThat(io.durableIndex()).isZero();
        assertThat(a).isLessThan(b);
    }

    @Test
    void whenTheMarksAreFullTheNewestIsFoldedIntoTheNextNeverEarly() {
        IoProgress io = new IoProgress(0, 2);
        long s1 = io.appended(1);
        long s2 = io.appended(2); // marks full: (s1,1) (s2,2)
        long s3 = io.appended(3); // folds (s2,2) into (s3,3)
        long s4 = io.appended(4); // folds (s3,3) into (s4,4)

        io.flushed(s1);
        assertThat(io.durableIndex()).isEqualTo(1);
        io.flushed(s2);
        assertThat(io.durableIndex()).isEqualTo(1); // later than exact (2), never beyond it
        io.flushed(s3);
        assertThat(io.durableIndex()).isEqualTo(1); // exact would be 3
        io.flushed(s4);
        assertThat(io.durableIndex()).isEqualTo(4); // caught up once the newest report arrives
    }

    @Test
    void foldingAndTruncationTogetherStayConservative() {
        IoProgress io = new IoProgress(0, 2);
        long s1 = io.appended(3);
        long s2 = io.appended(6);
        io.truncated(5); // clamps (s2,6) to 4
        long s4 = io.appended(8); // folds (s2,4) into (s4,8)

        io.flushed(s1);
        assertThat(io.durableIndex()).isEqualTo(3);
        io.flushed(s2);
        assertThat(io.durableIndex()).isEqualTo(3); // exact would be 4
        io.flushed(s4);
        assertThat(io.durableIndex()).isEqualTo(8);
    }

    @Test
    void theMarksAreHandedBackOnlyWhileNoAppendWaitsForItsFlush() {
        IoProgress io = new IoProgress(0, 4);
        assertThat(io.releaseIdle()).as("nothing allocated before the first append").isFalse();
        long a = io.appended(3);
        assertThat(io.releaseIdle()).as("append 3 waits for its flush").isFalse();
        io.flushed(a);
        assertThat(io.durableIndex()).isEqualTo(3);
        assertThat(io.releaseIdle()).isTrue();
        assertThat(io.releaseIdle()).isFalse();
        long b = io.appended(5);
        io.truncated(5);
        long c = io.appended(6);
        assertThat(io.flushed(b)).isTrue();
        assertThat(io.durableIndex()).as("the truncation clamped the re-allocated mark").isEqualTo(4);
        assertThat(io.flushed(c)).isTrue();
        assertThat(io.durableIndex()).isEqualTo(6);
    }
}
