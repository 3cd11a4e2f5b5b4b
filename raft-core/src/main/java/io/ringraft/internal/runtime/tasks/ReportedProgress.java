package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.runtime.requests.Rejection;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.spi.ApplyProgress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ApplyProgress} of one node's streaming state machine: the progress it reported (the
 * highest index it says it applied) and the results it reported for commands not yet passed.
 *
 * <p><b>Bounded.</b> Results wait in an array indexed by {@code index & mask}. Every command handed
 * over and not yet passed lies above {@code applied} and is either held by the ring (which never holds
 * two entries {@code capacity} apart) or part of the one cold batch read from storage that may be
 * outstanding alone; so the array, sized to the larger of the ring's capacity and a batch, never holds
 * two live results in one slot.
 *
 * <p><b>Threads.</b> The state machine calls {@link #result}, {@link #reject}, {@link #applied} and
 * {@link #fail} from any thread. A rejection is a result holding a {@link Rejection}. The
 * applier ({@link ApplyStream}) publishes how far it handed commands over ({@link #handedOver}), reads
 * {@link #reported()} (acquire) and then takes the results up to it: a result written before the
 * {@code applied} call that covers it (release, through the CAS) is visible to the applier. The applier
 * clears a result's slot when it takes it, and again before it hands over the command that reuses the slot.
 */
final class ReportedProgress implements ApplyProgress {

    private final AtomicLong reported;
    private final Object[] results;
    private final int mask;
    private final Signal applierSignal;
    /** Stops the node ({@link #fail}). */
    private final java.util.function.Consumer<Throwable> onFailure;
    /** applier: the last index handed to the state machine (or passed without handing it over). */
    private volatile long handedOver;

    ReportedProgress(long applied, int ringCapacity, int batchEntries, Signal applierSignal,
                     java.util.function.Consumer<Throwable> onFailure) {
        int size = Integer.highestOneBit(Math.max(ringCapacity, batchEntries) * 2 - 1); // a power of two
        this.results = new Object[size];
        this.mask = size - 1;
        this.reported = new AtomicLong(applied);
        this.handedOver = applied;
        this.applierSignal = applierSignal;
        this.onFailure = onFailure;
    }

    @Override
    public void result(long index, Object value) {
        if (index > handedOver || index <= reported.get()) {
            throw new IllegalArgumentException("result for index " + index + ", which is not awaiting one: "
                    + "handed over up to " + handedOver + ", reported applied up to " + reported.get());
        }
        results[(int) index & mask] = value;
    }

    @Override
    public void reject(long index, int code, String message) {
        result(index, new Rejection(code, message));
    }

    @Override
    public void fail(Throwable cause) {
        onFailure.accept(java.util.Objects.requireNonNull(cause, "cause"));
    }

    @Override
    public void applied(long index) {
        if (index > handedOver) {
            throw new IllegalArgumentException("applied(" + index + ") lies beyond the commands handed over (up to "
                    + handedOver + ")");
        }
        long current = reported.get();
        while (index > current) {
            if (reported.compareAndSet(current, index)) {
                applierSignal.wake();
                return;
            }
            current = reported.get();
        }
    }

    /** The progress the state machine reported (acquire). Any thread. */
    long reported() {
        return reported.get();
    }

    /**
     * Applier only, before it hands commands {@code from..to} to the state machine: clears their result
     * slots (a result the state machine reported for an index it never got must not pass for a later
     * command's) and lets the state machine report up to {@code to}.
     */
    void handingOver(long from, long to) {
        for (long index = from; index <= to; index++) {
            results[(int) index & mask] = null;
        }
        handedOver = to;
    }

    /** Applier only: takes (and forgets) the result reported for {@code index}, once progress passed it. */
    Object take(long index) {
        int slot = (int) index & mask;
        Object value = results[slot];
        results[slot] = null;
        return value;
    }

    /**
     * Applier only, with nothing outstanding: the state now stands at {@code index} (restored from a
     * snapshot), as if the state machine had reported it.
     */
    void restoredTo(long index) {
        handedOver = Math.max(handedOver, index);
        reported.accumulateAndGet(index, Math::max);
    }
}
