package io.ringraft.internal.client;

import io.ringraft.spi.StateMachine;
import java.util.Arrays;

/**
 * Collects what the wrapped state machine answers for one {@link CommandRun}, so the wrapper can
 * cache session commands' answers before handing them on. Grows to the largest batch the node
 * applies (bounded by the node's apply batch) and is reused; applier thread only.
 */
final class RunResults implements StateMachine.ApplyResults {

    Object[] values = new Object[16];
    boolean[] rejected = new boolean[16];
    int[] codes = new int[16];
    String[] messages = new String[16];

    void prepare(int count) {
        if (values.length < count) {
            int size = Math.max(count, values.length * 2);
            values = new Object[size];
            rejected = new boolean[size];
            codes = new int[size];
            messages = new String[size];
        } else {
            Arrays.fill(values, 0, count, null);
            Arrays.fill(rejected, 0, count, false);
            Arrays.fill(messages, 0, count, null);
        }
    }

    @Override
    public void set(int offset, Object result) {
        values[offset] = result;
        rejected[offset] = false;
    }

    @Override
    public void reject(int offset, int code, String message) {
        values[offset] = null;
        rejected[offset] = true;
        codes[offset] = code;
        messages[offset] = message;
    }
}
