package io.ringraft.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Records a concurrent history as a workload runs: one {@link #invoke} when a client submits an
 * operation and one completion ({@link #ok}, {@link #unknown} or {@link #fail}) when it learns the
 * outcome. {@link #operations()} turns the record into {@link Operation}s for
 * {@link LinearizabilityChecker}.
 *
 * <p><b>Who calls it:</b> the simulator's workload (or a test), appending in virtual-time order.
 * <b>Thread-safety:</b> none; use it from one thread (the simulator's event loop).
 *
 * <p>Operations still pending when {@link #operations()} is called are reported as unknown-outcome,
 * which is the sound choice (a submitted write may have taken effect). A workload should
 * {@link #fail} reads it abandons, since an unknown read constrains nothing and only costs search.
 */
public final class History<I, O> {

    private enum Status { PENDING, OK, UNKNOWN, FAILED }

    private static final class Record<I, O> {
        final int clientId;
        final I input;
        final long call;
        Status status = Status.PENDING;
        O output;
        long ret;

        Record(int clientId, I input, long call) {
            this.clientId = clientId;
            this.input = input;
            this.call = call;
        }
    }

    private final List<Record<I, O>> records = new ArrayList<>();

    /**
     * Records that {@code clientId} submitted {@code input} at {@code time}.
     *
     * @return the id to pass to the completion call
     */
    public long invoke(int clientId, I input, long time) {
        Objects.requireNonNull(input, "input");
        if (time == Operation.UNKNOWN_RETURN) {
            throw new IllegalArgumentException("time must be finite");
        }
        records.add(new Record<>(clientId, input, time));
        return records.size() - 1;
    }

    /** Records that operation {@code id} completed with {@code output} at {@code time}. */
    public void ok(long id, O output, long time) {
        Record<I, O> r = pending(id);
        if (time < r.call || time == Operation.UNKNOWN_RETURN) {
            throw new IllegalArgumentException("op " + id + ": return time " + time + " before call " + r.call);
        }
        r.status = Status.OK;
        r.output = output;
        r.ret = time;
    }

    /** Records that the outcome of {@code id} will never be known (it may or may not take effect). */
    public void unknown(long id) {
        pending(id).status = Status.UNKNOWN;
    }

    /** Records that {@code id} definitely did not take effect; it is left out of the history. */
    public void fail(long id) {
        pending(id).status = Status.FAILED;
    }

    /** Number of operations invoked so far, including failed and pending ones. */
    public int size() {
        return records.size();
    }

    /**
     * A snapshot of the history in invocation order: completed operations, and unknown-outcome ones
     * (including those still pending). Failed operations are omitted.
     */
    public List<Operation<I, O>> operations() {
        List<Operation<I, O>> out = new ArrayList<>(records.size());
        for (Record<I, O> r : records) {
            switch (r.status) {
                case OK -> out.add(Operation.completed(r.clientId, r.input, r.output, r.call, r.ret));
                case UNKNOWN, PENDING -> out.add(Operation.unknown(r.clientId, r.input, r.call));
                case FAILED -> { }
                default -> throw new AssertionError(r.status);
            }
        }
        return out;
    }

    private Record<I, O> pending(long id) {
        if (id < 0 || id >= records.size()) {
            throw new IllegalArgumentException("no operation " + id);
        }
        Record<I, O> r = records.get((int) id);
        if (r.status != Status.PENDING) {
            throw new IllegalStateException("op " + id + " already completed as " + r.status);
        }
        return r;
    }
}
