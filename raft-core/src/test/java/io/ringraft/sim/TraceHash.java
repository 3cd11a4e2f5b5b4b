package io.ringraft.sim;

/**
 * A rolling hash of everything observable that happened in a simulation run. Two runs of one seed
 * must end with the same value; a difference means hidden non-determinism.
 */
public final class TraceHash {

    private long hash = 0xcbf29ce484222325L;

    void add(long value) {
        hash ^= value;
        hash *= 0x100000001b3L;
    }

    void add(String value) {
        add(value.hashCode());
    }

    public long value() {
        return hash;
    }
}
