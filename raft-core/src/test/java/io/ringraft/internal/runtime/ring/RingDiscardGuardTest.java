package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The {@link RingDiscardGuard} protocol step by step, in every order the two sides can take it
 * (the memory ordering under real threads is {@link RingDiscardGuardConcurrencyTest}'s).
 */
class RingDiscardGuardTest {

    private final RingDiscardGuard guard = new RingDiscardGuard();

    @Test
    void aHoldingWriterDefersTheCoreUntilItReleases() {
        assertThat(guard.hold(10)).isTrue();
        assertThat(guard.announceDiscard(10)).as("the writer holds entry 10").isFalse();
        assertThat(guard.announceDiscard(4)).isFalse();
        guard.release();
        assertThat(guard.announceDiscard(4)).isTrue();
    }

    @Test
    void anAnnouncementMakesTheWriterBackOffEvenWhileTheCoreDefers() {
        assertThat(guard.hold(10)).isTrue();
        assertThat(guard.announceDiscard(7)).isFalse(); // deferred, still announced
        guard.release();
        assertThat(guard.hold(10)).as("the core goes first").isFalse();
        assertThat(guard.announceDiscard(7)).as("a writer that backed off holds nothing").isTrue();
        assertThat(guard.hold(6)).as("entries below the discarded ones stay readable").isTrue();
        guard.release();
        assertThat(guard.discardDone()).as("withdrawn: wake the writer").isTrue();
        assertThat(guard.discardDone()).as("nothing left to withdraw").isFalse();
        assertThat(guard.hold(10)).isTrue();
    }

    @Test
    void holdsAndDiscardsThatDoNotOverlapGoTogether() {
        assertThat(guard.hold(5)).isTrue();
        assertThat(guard.announceDiscard(6)).as("the writer stops before entry 6").isTrue();
        guard.discardDone();
        assertThat(guard.announceDiscard(0)).as("a reset discards everything").isFalse();
        guard.release();
        assertThat(guard.announceDiscard(0)).isTrue();
        assertThat(guard.hold(0)).isFalse();
    }
}
