package io.ringraft.internal.runtime.requests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ForwardedRequests}: which late forwards of older terms a node can refuse definitely. */
class ForwardedRequestsTest {

    @Test
    void aForwardOfATermTheNodeAppendedNothingFromIsCertainlyNotAppended() {
        ForwardedRequests requests = new ForwardedRequests(4, 2); // started in term 2
        assertThat(requests.mayHaveAppended(1, 7, 1)).as("before this incarnation: unknown").isTrue();
        assertThat(requests.mayHaveAppended(2, 7, 1)).as("the term it started in: unknown").isTrue();
        assertThat(requests.mayHaveAppended(3, 7, 1)).as("a later term it appended nothing in").isFalse();

        assertThat(requests.firstTime(5, 7, 1)).isTrue(); // leads term 5, appends node 7's request 1
        assertThat(requests.mayHaveAppended(5, 7, 1)).isTrue();
        assertThat(requests.mayHaveAppended(5, 7, 2)).isFalse();
        assertThat(requests.mayHaveAppended(5, 8, 1)).isFalse();
        assertThat(requests.mayHaveAppended(4, 7, 1)).isFalse();

        assertThat(requests.firstTime(9, 7, 1)).isTrue(); // leads term 9: term 5's memory is gone
        assertThat(requests.mayHaveAppended(5, 7, 2)).as("term 5 is forgotten: unknown").isTrue();
        assertThat(requests.mayHaveAppended(6, 7, 2)).as("appended nothing in term 6").isFalse();
        assertThat(requests.mayHaveAppended(9, 7, 1)).isTrue();
    }
}
