package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The samples of the leader's commit index a replica heard, and the staleness they give an applied index. */
class CommitFreshnessTest {

    @Test
    void theNewestSampleAtOrBelowTheAppliedIndexDatesTheState() {
        CommitFreshness freshness = new CommitFreshness();
        assertThat(freshness.stalenessNanos(100, 1_000)).isEqualTo(Long.MAX_VALUE); // heard nothing
        freshness.observe(100, 5);
        freshness.observe(200, 5); // a heartbeat with the same commit: the sample is newer
        freshness.observe(300, 9);
        freshness.observe(400, 12);
        assertThat(freshness.stalenessNanos(12, 1_000)).isEqualTo(600); // applied all it heard
        assertThat(freshness.stalenessNanos(11, 1_000)).isEqualTo(700); // complete as of commit 9, heard at 300
        assertThat(freshness.stalenessNanos(5, 1_000)).isEqualTo(800);  // commit 5, heard last at 200
        assertThat(freshness.stalenessNanos(4, 1_000)).isEqualTo(Long.MAX_VALUE);
        assertThat(freshness.stalenessNanos(12, 350)).isZero(); // never negative
    }

    @Test
    void aNewLeadersCommitIndexDatesNothingUntilItIsAnEntryOfItsTerm() {
        CommitFreshness freshness = new CommitFreshness();
        freshness.observeLeaderCommit(100, 10, 4, 5); // entry 10 is of term 4: the term-5 leader may lag its predecessor
        freshness.observeLeaderCommit(200, 10, -1, 5); // not in this log at all
        assertThat(freshness.stalenessNanos(10, 1_000)).isEqualTo(Long.MAX_VALUE);
        freshness.observeLeaderCommit(300, 12, 5, 5); // its no-op (or later) committed: now it dates the state
        assertThat(freshness.stalenessNanos(12, 1_000)).isEqualTo(700);
        assertThat(freshness.stalenessNanos(11, 1_000)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aReorderedOlderCommitIsIgnored() {
        CommitFreshness freshness = new CommitFreshness();
        freshness.observe(100, 9);
        freshness.observe(500, 7); // a late message: it does not make commit 7 fresher than commit 9 was
        assertThat(freshness.stalenessNanos(8, 1_000)).isEqualTo(Long.MAX_VALUE);
        assertThat(freshness.stalenessNanos(9, 1_000)).isEqualTo(900);
    }

    @Test
    void onlyTheLastSamplesAreKeptAndOlderAppliedIndexesReadAsNeverFresh() {
        CommitFreshness freshness = new CommitFreshness();
        for (int i = 1; i <= CommitFreshness.CAPACITY + 10; i++) {
            freshness.observe(i * 10L, i);
        }
        assertThat(freshness.stalenessNanos(11, 10_000)).isEqualTo(10_000 - 110);
        assertThat(freshness.stalenessNanos(10, 10_000)).isEqualTo(Long.MAX_VALUE); // dropped from the ring
    }

    @Test
    void aQuietReplicaKeepsOnlyItsNewestSampleAndStillDatesWhatItCovers() {
        CommitFreshness freshness = new CommitFreshness();
        freshness.observe(100, 5);
        assertThat(freshness.ringAllocated()).as("one sample needs no ring").isFalse();
        freshness.observe(200, 5);
        assertThat(freshness.ringAllocated()).isFalse();
        assertThat(freshness.stalenessNanos(5, 1_000)).isEqualTo(800);
        freshness.observe(300, 9);
        assertThat(freshness.ringAllocated()).as("a second commit index").isTrue();
        freshness.observe(400, 12);
        assertThat(freshness.releaseIdle()).isTrue();
        assertThat(freshness.ringAllocated()).isFalse();
        assertThat(freshness.releaseIdle()).isFalse();
        assertThat(freshness.stalenessNanos(12, 1_000)).as("the newest sample is kept").isEqualTo(600);
        assertThat(freshness.stalenessNanos(11, 1_000)).as("older ones are not: never fresh (conservative)")
                .isEqualTo(Long.MAX_VALUE);
        freshness.observe(500, 11); // reordered: ignored
        freshness.observe(600, 12);
        assertThat(freshness.ringAllocated()).isFalse();
        assertThat(freshness.stalenessNanos(12, 1_000)).isEqualTo(400);
        freshness.observe(700, 15);
        assertThat(freshness.ringAllocated()).as("woken: the ring again").isTrue();
        assertThat(freshness.stalenessNanos(14, 1_000)).isEqualTo(400);
        assertThat(freshness.stalenessNanos(15, 1_000)).isEqualTo(300);
    }
}
