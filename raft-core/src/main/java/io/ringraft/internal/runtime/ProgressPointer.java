package io.ringraft.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One progress pointer of a node (accepted, submitted, flushed, committed, applyLimit, applied,
 * snapshot, purged, ...): a {@code long} with exactly one writing task, read by any thread, that
 * wakes the tasks watching it when it moves. This is DESIGN's "atomic watch-style pointer": only the
 * newest value matters, so a watcher that wakes late sees the latest value and does all the work up
 * to it at once (that is where batching and group commit come from).
 *
 * <p><b>Memory ordering.</b> {@link #publish} is a release store and {@link #get} an acquire load:
 * whatever the writer wrote before publishing (ring slots, storage state) is visible to a reader
 * that sees the new value. The value sits alone on its cache lines (padding on both sides), so a
 * pointer written by one task never slows the reads of another pointer.
 *
 * <p><b>One writer.</b> The task that owns the pointer is the only one that publishes it, and the only
 * one given it as a {@code ProgressPointer}; the tasks that watch it are given its read side, a
 * {@link ProgressView}. The initial value is given at construction (by the thread that builds the
 * node, from what it recovered), never published.
 * Each pointer records which threads published it, and the runtime's tests assert that each pointer
 * saw exactly one ({@link #writerThreads()}); the record costs one volatile read per publish once the
 * writer is known.
 *
 * <p><b>Monotonic.</b> Pointers built with {@link #monotonic} never go back; publishing a lower
 * value is a bug and throws. A few positions are not monotonic as indexes (what the log writer
 * handed to storage goes back when a follower truncates): they are built with {@link #movable}.
 */
public final class ProgressPointer extends ProgressView {

    private final String name;
    private final boolean monotonic;
    private final Signal[] watchers;
    /** The first thread that published, and whether another one did too (a broken ownership). */
    private volatile Thread writer;
    private volatile String otherWriter;

    private ProgressPointer(String name, long initial, boolean monotonic, Signal[] watchers) {
        this.name = name;
        this.monotonic = monotonic;
        this.watchers = watchers.clone();
        VALUE.setRelease(this, initial);
    }

    /** A pointer that only moves forward, waking {@code watchers} whenever it does. */
    static ProgressPointer monotonic(String name, long initial, Signal... watchers) {
        return new ProgressPointer(name, initial, true, watchers);
    }

    /** A position that may move back (a follower's truncation), waking {@code watchers} whenever it moves. */
    static ProgressPointer movable(String name, long initial, Signal... watchers) {
        return new ProgressPointer(name, initial, false, watchers);
    }

    /**
     * Owner task only: makes {@code value} the pointer's value (release) and wakes the watchers if it
     * changed.
     *
     * @throws IllegalStateException if the pointer is monotonic and {@code value} is below the current one
     */
    public void publish(long value) {
        long current = (long) VALUE.get(this); // the owner's own last write: a plain read suffices
        if (value == current) {
            return;
        }
        if (monotonic && value < current) {
            throw new IllegalStateException("progress pointer " + name + " would go back from " + current
                    + " to " + value);
        }
        noteWriter();
        VALUE.setRelease(this, value);
        for (Signal watcher : watchers) {
            watcher.wake();
        }
    }

    /** Owner task only: publishes {@code value} if it is above the current value. */
    public boolean advance(long value) {
        if (value <= (long) VALUE.get(this)) {
            return false;
        }
        publish(value);
        return true;
    }

    private void noteWriter() {
        Thread current = Thread.currentThread();
        Thread first = writer;
        if (first == current) {
            return;
        }
        if (first == null) {
            writer = current;
        } else if (otherWriter == null) {
            otherWriter = current.getName();
        }
    }

    /**
     * How many threads published this pointer: 0 (never moved), 1, or 2 meaning "more than one" (a
     * broken single-writer rule). For tests and status.
     */
    int writerThreads() {
        return writer == null ? 0 : otherWriter == null ? 1 : 2;
    }

    /** Names of the first writer and of a second one if any, for assertion messages. */
    String writerNames() {
        Thread first = writer;
        return (first == null ? "none" : first.getName()) + (otherWriter == null ? "" : " and " + otherWriter);
    }

    String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}

/** Cache-line padding before the value (class layout keeps superclass fields first). */
abstract class ProgressPointerLeftPad {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The value, accessed through {@link #VALUE} with release/acquire semantics. */
abstract class ProgressPointerValue0 extends ProgressPointerLeftPad {
    long value;
}

/** Cache-line padding after the value. */
abstract class ProgressPointerValue extends ProgressPointerValue0 {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ProgressPointerValue0.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
