package io.ringraft.internal.engine.progress;

/**
 * The pipelining window of one follower: the last index of each AppendEntries with entries that is
 * sent but not yet acknowledged, oldest first, in a fixed-size ring.
 *
 * <p>A cumulative acknowledgement of index {@code m} frees every message ending at or before
 * {@code m}. Single-threaded.
 */
public final class Inflights {

    private final long[] lastIndexes;
    private int head;
    private int count;

    public Inflights(int capacity) {
        this.lastIndexes = new long[capacity];
    }

    public boolean isFull() {
       return count == lastIndexes.length;
    }

    public int count() {
       return count;
    }

    /** Records a sent message ending at {@code lastIndex}; indexes must increase. */
    public void add(long lastIndex) {
        if (isFull()) {
            throw new IllegalStateException("in-flight window of " + lastIndexes.length + " is full");
        }
        lastIndexes[(head + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** Frees every message ending at or before {@code index}. */
    public void freeTo(long index) {
        while (count > 0 && lastIndexes[head] <= index) {
            head = (head + 1) % lastIndexes.length;
            count--;
        }
    }

    public void clear() {
        head = 0;
        count = 0;
    }
}
