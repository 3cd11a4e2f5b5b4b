package io.ringraft.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Whether a node stopped, and why: closed by the application ({@link #close()}), or stopped by the
 * first failure of any of its tasks ({@link #fail}, fail-stop). Every task checks {@link #stopped()}
 * at the start of its duty cycle and does nothing more once it is true.
 *
 * <p>Threads: {@link #fail} from any task (the first failure wins), {@link #close()} from the thread
 * that closes the node, the reads from any thread. Both writes wake every task of the node (the
 * signals given at construction) so that each sees the stop on its next cycle. Never blocks. Reading
 * costs two volatile loads, as before it was split out of the node's shared state.
 */
public final class StopState {

    private static final VarHandle FAILURE;

    static {
        try {
            FAILURE = MethodHandles.lookup().findVarHandle(StopState.class, "failure", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Every signal of the node's tasks (in shared threading several may be the same one). */
    private final List<Signal> signals;
    private final LeaderWatch leaderWatch;
    private volatile boolean closing;
    /** The error that stopped the node, or null; set once. */
    private volatile Throwable failure;

    /**
     * @param signals     the signals of every task of the node, woken when it stops
     * @param leaderWatch the node's ready leader, whose waiters are woken when it stops
     */
    StopState(List<Signal> signals, LeaderWatch leaderWatch) {
        this.signals = List.copyOf(signals);
        this.leaderWatch = leaderWatch;
    }

    /** True once the node is closing or failed. Any thread. */
    public boolean stopped() {
        return closing || failure != null;
    }

    /** True once {@link #close()} was called. Any thread. */
    boolean closing() {
        return closing;
    }

    /** The error that stopped the node, or null. Any thread. */
    public Throwable failure() {
        return failure;
    }

    /** Stops the node after {@code cause}: the first failure wins, and every task is woken to see it. Any thread. */
    public void fail(Throwable cause) {
        if (FAILURE.compareAndSet(this, null, cause)) {
            wakeAll();
        }
    }

    /** The node is being closed: every task is woken to see it. */
    void close() {
        closing = true;
        wakeAll();
    }

    private void wakeAll() {
        leaderWatch.wake();
        for (Signal signal : signals) {
            signal.wake();
        }
    }
}
