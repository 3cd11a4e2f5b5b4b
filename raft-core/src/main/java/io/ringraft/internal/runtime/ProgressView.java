package io.ringraft.internal.runtime;

/**
 * The read side of a {@link ProgressPointer}: what a task that watches a pointer, but does not own
 * it, is given. Its type says the holder may read the pointer and nothing else; the one writer holds
 * the pointer itself.
 *
 * <p>Any thread may call {@link #get()}; it never blocks. It costs what reading the pointer costs (a
 * final method of the pointer's own class: one acquire load, no indirection).
 */
public abstract sealed class ProgressView extends ProgressPointerValue permits ProgressPointer {

    ProgressView() {
    }

    /** The newest value (acquire): whatever the writer wrote before publishing it is visible. Any thread. */
    public final long get() {
        return (long) VALUE.getAcquire(this);
    }
}
