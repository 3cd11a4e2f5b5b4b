package io.ringraft.internal.runtime;

import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StreamingStateMachine} for runtime tests that holds the views it is handed until the test
 * applies and reports them ({@link #applyAndReportAll}), on the test's thread. Its state is the sum of
 * the first byte of every command applied (read from the held views, so a view the node reused too
 * early would show in the sum). Records what it held when asked for a snapshot.
 */
final class HeldStreamingStateMachine implements StreamingStateMachine {

    private final LinkedBlockingDeque<LogEntries> held = new LinkedBlockingDeque<>();
    private final AtomicLong handedCommands = new AtomicLong();
    private volatile ApplyProgress progress;
    private volatile long sum;
    private volatile long reportedIndex;
    /** Commands {@link #applyAndReportAll} rejects (code 3, "no") instead of reporting a result. */
    volatile java.util.function.LongPredicate rejecting = index -> false;
    /** Batches held (handed over, not yet applied and reported) when the node last asked for a snapshot, or -1. */
    volatile int heldAtSnapshot = -1;

    @Override
    public void accept(LogEntries commands, ApplyProgress progress) {
        this.progress = progress;
        handedCommands.addAndGet(commands.count());
        held.add(commands);
    }

    /** Waits (up to ten seconds) until at least {@code commands} commands were handed over. */
    void awaitHandedOver(long commands) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handedCommands.get() < commands) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + handedCommands.get() + " of " + commands + " commands handed over");
            }
            Thread.sleep(1); // polling a condition with a deadline, not waiting for time to pass
        }
    }

    long handedOver() {
        return handedCommands.get();
    }

    /** Batches handed over and not yet applied. */
    int heldBatches() {
        return held.size();
    }

    /** The index of the first command handed over and not applied yet. */
    long firstHeldIndex() {
        return held.getFirst().firstIndex();
    }

    ApplyProgress progress() {
        return progress;
    }

    /**
     * Applies every held batch and reports each command's result ("r" + index), or its rejection if
     * {@link #rejecting}, then progress once.
     */
    long applyAndReportAll() {
        long last = -1;
        LogEntries view;
        while ((view = held.poll()) != null) {
            for (int i = 0; i < view.count(); i++) {
                long index = view.firstIndex() + i;
                if (rejecting.test(index)) {
                    progress.reject(index, 3, "no"); // and the state stays as it was
                    continue;
                }
                sum += view.payloadAt(i).getByte(0);
                progress.result(index, "r" + index);
            }
            last = view.lastIndex();
        }
        if (last >= 0) {
            progress.applied(last);
            reportedIndex = last;
        }
        return last;
    }

    long sum() {
        return sum;
    }

    @Override
    public Object query(io.ringraft.api.Bytes query) {
        return sum;
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        heldAtSnapshot = held.size();
        long state = sum;
        return out -> new DataOutputStream(out).writeLong(state);
    }

    @Override
    public void restore(java.io.InputStream data) throws java.io.IOException {
        sum = new DataInputStream(data).readLong();
    }
}
