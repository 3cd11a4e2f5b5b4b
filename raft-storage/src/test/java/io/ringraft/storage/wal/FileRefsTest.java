package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The per-group table of live entries per file, including the newest-file fast path of {@code add}. */
class FileRefsTest {

    @Test
    void countsPerFileStaySortedWhateverTheOrderOfAdds() {
        FileRefs refs = new FileRefs();
        refs.add(3, 2);
        refs.add(3, 1); // the newest row: fast path
        refs.add(1, 4); // an older file: a row inserted before
        refs.add(3, 5);
        refs.add(1, 1); // not the newest row
        refs.add(7, 1);
        assertThat(refs.rows()).isEqualTo(3);
        assertThat(new long[] {refs.seqAt(0), refs.seqAt(1), refs.seqAt(2)}).containsExactly(1, 3, 7);
        assertThat(refs.countOf(1)).isEqualTo(5);
        assertThat(refs.countOf(3)).isEqualTo(8);
        assertThat(refs.countOf(7)).isEqualTo(1);
    }

    @Test
    void aRowThatReachesZeroGoesAndNegativeCountsAreRefused() {
        FileRefs refs = new FileRefs();
        refs.add(2, 3);
        refs.add(5, 1);
        refs.add(5, -1); // the newest row reaches zero: removed (no fast path for removals)
        assertThat(refs.rows()).isEqualTo(1);
        assertThat(refs.countOf(5)).isZero();
        refs.add(5, 2); // comes back as a new row
        assertThat(refs.countOf(5)).isEqualTo(2);
        assertThatThrownBy(() -> refs.add(2, -4)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> refs.add(9, -1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void manyFilesGrowTheTable() {
        FileRefs refs = new FileRefs();
        for (long seq = 1; seq <= 20; seq++) {
            refs.add(seq, seq);
            refs.add(seq, 1);
        }
        assertThat(refs.rows()).isEqualTo(20);
        for (long seq = 1; seq <= 20; seq++) {
            assertThat(refs.countOf(seq)).isEqualTo(seq + 1);
        }
    }
}
