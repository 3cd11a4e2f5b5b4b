package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.ForwardProposalResult.Outcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@link Forwards}: what waited too long is failed definitely if it was never sent, uncertainly if it was. */
class ForwardsDeadlineTest {

    private static RaftException failure(CompletableFuture<Object> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("completed normally");
        } catch (CompletionException e) {
            return (RaftException) e.getCause();
        }
    }

    @Test
    void forwardsStillQueuedAtTheirDeadlineFailDefinitelyAndTheOthersStay() {
        Forwards forwards = new Forwards(8, 1);
        CompletableFuture<Object> early = new CompletableFuture<>();
        CompletableFuture<Object> alsoEarly = new CompletableFuture<>();
        CompletableFuture<Object> late = new CompletableFuture<>();
        assertThat(forwards.submit(new byte[] {1}, early, 100)).isTrue();
        assertThat(forwards.submit(new byte[] {2}, alsoEarly, 150)).isTrue();
        assertThat(forwards.submit(new byte[] {3}, late, 500)).isTrue();

        assertThat(forwards.expireQueued(99)).isZero();
        assertThat(forwards.expireQueued(200)).isEqualTo(2);

        assertThat(failure(early)).isInstanceOf(RejectedException.class).hasMessageContaining("never sent");
        assertThat(failure(early).mayHaveTakenEffect()).isFalse();
        assertThat(failure(alsoEarly).mayHaveTakenEffect()).isFalse();
        assertThat(late).isNotDone();
        assertThat(forwards.pollSubmitted().future).isSameAs(late);
    }

    @Test
    void aSentForwardTheLeaderRefusedAsExpiredIsDefiniteWhileOneWithoutAnswerIsUncertain() {
        Forwards forwards = new Forwards(8, 1);
        CompletableFuture<Object> refused = new CompletableFuture<>();
        CompletableFuture<Object> unanswered = new CompletableFuture<>();
        forwards.submit(new byte[] {1}, refused, 100);
        forwards.submit(new byte[] {2}, unanswered, 100);
        Forwards.Forward first = forwards.pollSubmitted();
        Forwards.Forward second = forwards.pollSubmitted();
        forwards.sent(first);
        forwards.sent(second);

        forwards.onResult(new ForwardProposalResult(1, 2, 3, first.requestId, Outcome.EXPIRED, LogId.ZERO, 0),
                () -> 0, 1_000);
        forwards.expire(100);

        assertThat(failure(refused)).isInstanceOf(RejectedException.class);
        assertThat(failure(refused).mayHaveTakenEffect()).isFalse();
        assertThat(failure(unanswered)).isInstanceOf(IndeterminateException.class);
    }

    @Test
    void sentForwardsAreScannedOnlyOnceTheEarliestDeadlinePassedAndAtMostOncePerMillisecond() {
        Forwards forwards = new Forwards(8, 1);
        long ms = Forwards.EXPIRY_SCAN_NANOS;
        CompletableFuture<Object> first = new CompletableFuture<>();
        CompletableFuture<Object> second = new CompletableFuture<>();
        CompletableFuture<Object> third = new CompletableFuture<>();
        forwards.submit(new byte[] {1}, first, 10 * ms);
        forwards.submit(new byte[] {2}, second, 10 * ms + 1);
        forwards.submit(new byte[] {3}, third, 30 * ms);
        for (int i = 0; i < 3; i++) {
            forwards.sent(forwards.pollSubmitted());
        }

        forwards.expire(10 * ms - 1);
        assertThat(first).as("before the earliest deadline").isNotDone();
        forwards.expire(10 * ms);
        assertThat(failure(first)).isInstanceOf(IndeterminateException.class);
        assertThat(second).as("its deadline is a nanosecond later").isNotDone();
        forwards.expire(10 * ms + 1);
        assertThat(second).as("no second scan within a millisecond").isNotDone();
        forwards.expire(11 * ms);
        assertThat(failure(second)).as("kept to within a millisecond").isInstanceOf(IndeterminateException.class);
        forwards.expire(29 * ms);
        assertThat(third).isNotDone();
        forwards.expire(30 * ms);
        assertThat(failure(third)).isInstanceOf(IndeterminateException.class);
        assertThat(forwards.waiting()).isFalse();
    }
}
