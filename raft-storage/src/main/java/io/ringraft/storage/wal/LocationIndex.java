package io.ringraft.storage.wal;

/**
 * Where each live entry of one group is: for every index from {@link #firstIndex()} on, the
 * {@link Lsn} of its record. Grows with the group's live log and shrinks when it is purged: when an
 * append reaches the array's end, the live slots move to its front if they fill at most half of it,
 * else to an array twice their number (rounded up to a power of two); a purge that leaves less than a
 * sixteenth of the array used shrinks it to four times the live slots. So a log that is appended to
 * and purged in a steady rhythm (Raft with snapshots: the live log swinging by up to about 8 times)
 * reuses its array instead of allocating on every purge cycle, and after a purge memory is bounded by
 * the live log (at most 16 times it, or 16 slots), which purges bound.
 *
 * <p>Not thread-safe: the group's lock guards it.
 */
final class LocationIndex {

    private static final int MIN_CAPACITY = 16;

    private long[] slots = new long[MIN_CAPACITY];
    private int head;
    private int size;
    private long firstIndex = 1;

    /** Empties the index; the next entry appended has {@code firstIndex}. */
    void reset(long firstIndex) {
        if (slots.length > MIN_CAPACITY * 4) {
            slots = new long[MIN_CAPACITY];
        }
        this.firstIndex = firstIndex;
        head = 0;
        size = 0;
    }

    long firstIndex() {
        return firstIndex;
    }

    int size() {
        return size;
    }

    /** Slots allocated (tests: the memory bound and the reuse of the array). */
    int capacity() {
        return slots.length;
    }

    /** Adds the location of entry {@code firstIndex() + size()}. */
    void append(long location) {
        if (head + size == slots.length) {
            if (2L * (size + 1) <= slots.length) {
                System.arraycopy(slots, head, slots, 0, size); // room enough: reuse the array
                head = 0;
            } else {
                compact(size + 1);
            }
        }
        slots[head + size] = location;
        size++;
    }

    long get(long index) {
        return slots[head + offsetOf(index)];
    }

    void set(long index, long location) {
        slots[head + offsetOf(index)] = location;
    }

    /** Forgets entries from {@code index} on. */
    void truncateFrom(long index) {
        size = (int) Math.max(0, Math.min(size, index - firstIndex));
    }

    /** Forgets entries up to and including {@code index}. */
    void dropThrough(long index) {
        int drop = (int) Math.min(size, Math.max(0, index + 1 - firstIndex));
        head += drop;
        size -= drop;
        firstIndex += drop;
        if (size * 16L < slots.length && slots.length > MIN_CAPACITY) {
            compact(2 * size);
        }
    }

    private int offsetOf(long index) {
        long offset = index - firstIndex;
        if (offset < 0 || offset >= size) {
            throw new IndexOutOfBoundsException("entry " + index + " is not in [" + firstIndex + ", "
                    + (firstIndex + size - 1) + "]");
        }
        return (int) offset;
    }

    /** Moves the live slots to the front of an array with room for twice {@code needed} entries. */
    private void compact(int needed) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2L * needed) {
            capacity <<= 1;
        }
        if (capacity == slots.length) {
            System.arraycopy(slots, head, slots, 0, size);
        } else {
            long[] next = new long[capacity];
            System.arraycopy(slots, head, next, 0, size);
            slots = next;
        }
        head = 0;
    }
}
