package io.ringraft.testkit.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A rolling hash of everything observable that happened in a simulation run. Two runs of one seed
 * must end with the same value; a difference means hidden non-determinism. It also keeps the last
 * {@link #RECENT} events described in words (messages delivered, faults, leaders), for a violation's
 * report; older ones are forgotten.
 */
public final class TraceHash {

    /** Events kept for reports. */
    static final int RECENT = 40;

    private long hash = 0xcbf29ce484222325L;
    private final ArrayDeque<String> recent = new ArrayDeque<>(RECENT);

    void add(long value) {
        hash ^= value;
        hash *= 0x100000001b3L;
    }

    void add(String value) {
        add(value.hashCode());
        if (recent.size() == RECENT) {
            recent.poll();
        }
        recent.add(value);
    }

    public long value() {
        return hash;
    }

    /** The last events described in words, oldest first (at most {@link #RECENT}). */
    public List<String> recent() {
        return new ArrayList<>(recent);
    }
}
