package io.ringraft.internal.messaging;

/**
 * One target's undelivered messages, oldest first, with consecutive sequences: a circular array that
 * finds the message of a sequence in constant time (a delivery batch starts anywhere in it when several
 * batches are in flight). It grows by doubling and never shrinks; its owner ({@link OutboxState}) caps the
 * messages of all targets together at the outbox capacity, so it holds at most that many. Not thread-safe:
 * used under the {@code OutboxState}'s monitor.
 */
final class PendingQueue {

    private OutboxState.Pending[] slots = new OutboxState.Pending[8];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The oldest message, or null if empty. */
    OutboxState.Pending first() {
        return size == 0 ? null : slots[head];
    }

    /** The {@code i}-th oldest message, {@code 0 <= i < size()}. */
    OutboxState.Pending get(int i) {
        return slots[(head + i) & (slots.length - 1)];
    }

    /**
     * Appends the newest message.
     *
     * @throws IllegalArgumentException if its sequence does not follow the newest one's
     */
    void addLast(OutboxState.Pending message) {
        if (size > 0 && message.sequence() != get(size - 1).sequence() + 1) {
            throw new IllegalArgumentException("message " + message.sequence() + " does not follow "
                    + get(size - 1).sequence());
        }
        if (size == slots.length) {
            OutboxState.Pending[] bigger = new OutboxState.Pending[slots.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = get(i);
            }
            slots = bigger;
            head = 0;
        }
        slots[(head + size) & (slots.length - 1)] = message;
        size++;
    }

    /** Removes and returns the oldest message. */
    OutboxState.Pending removeFirst() {
        OutboxState.Pending first = slots[head];
        slots[head] = null;
        head = (head + 1) & (slots.length - 1);
        size--;
        return first;
    }

    /** Removes and returns the newest message. */
    OutboxState.Pending removeLast() {
        int last = (head + size - 1) & (slots.length - 1);
        OutboxState.Pending newest = slots[last];
        slots[last] = null;
        size--;
        return newest;
    }

    /** Position of the message with {@code sequence}, clamped to {@code [0, size()]}. */
    int positionOf(long sequence) {
        if (size == 0) {
            return 0;
        }
        long offset = sequence - slots[head].sequence();
        return (int) Math.max(0, Math.min(size, offset));
    }
}
