package io.ringraft.api.client;

import io.ringraft.spi.StateMachine;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Records the answer the wrapper gives each log index, comparable by value. */
final class RecordedResults implements StateMachine.ApplyResults {

    /** One entry's answer. */
    record Answer(byte[] result, boolean rejected, int code) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Answer other && Arrays.equals(result, other.result) && rejected == other.rejected
                    && code == other.code;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(result) * 31 + code;
        }

        @Override
        public String toString() {
            return rejected ? "rejected(" + code + ")" : "ok" + Arrays.toString(result);
        }
    }

    final Map<Long, Answer> byIndex = new HashMap<>();
    long firstIndex;

    @Override
    public void set(int offset, Object result) {
        byIndex.put(firstIndex + offset, new Answer((byte[]) result, false, 0));
    }

    @Override
    public void reject(int offset, int code, String message) {
        byIndex.put(firstIndex + offset, new Answer(null, true, code));
    }
}
