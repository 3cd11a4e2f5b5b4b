package io.ringraft.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.client.RecordedResults.Answer;
import io.ringraft.spi.ApplyProgress;
import java.util.HashMap;
import java.util.Map;

/**
 * The node's side of a streaming state machine in tests: records each index's answer and checks the
 * contract the node enforces (an answer only for an index not yet reported applied, progress monotonic,
 * every index answered before progress covers it, when it had a session answer to give).
 */
final class NodeProgress implements ApplyProgress {

    final Map<Long, Answer> byIndex = new HashMap<>();
    long applied;

    @Override
    public void result(long index, Object value) {
        assertThat(index).as("result for an index already reported applied").isGreaterThan(applied);
        byIndex.put(index, new Answer((byte[]) value, false, 0));
    }

    @Override
    public void reject(long index, int code, String message) {
        assertThat(index).as("rejection for an index already reported applied").isGreaterThan(applied);
        byIndex.put(index, new Answer(null, true, code));
    }

    @Override
    public void applied(long index) {
        assertThat(index).as("progress moves forward").isGreaterThan(applied);
        for (long i = applied + 1; i <= index; i++) {
            assertThat(byIndex).as("index %d answered before progress covered it", i).containsKey(i);
        }
        applied = index;
    }

    @Override
    public void fail(Throwable cause) {
        throw new AssertionError("the wrapper failed the node", cause);
    }
}
