package io.ringraft.testkit.sim;

import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.agrona.concurrent.Agent;

/**
 * The user's state machine (through its {@link ObservedStateMachine}) as a {@link StreamingStateMachine}
 * that acknowledges late and in bursts, one command at a time. It keeps the views it is handed (no copy: a view the node reused too early would
 * show another command, which the {@link SafetyChecker} catches) and applies them on its own duty
 * cycles, which the simulation runs like the node's tasks, in its seeded order: most cycles do nothing,
 * some apply a burst of commands (ending anywhere, also inside a batch) and report their results, and
 * progress is reported on some cycles only, often well after the commands were applied. Now and then it
 * applies a whole batch inside {@code accept}.
 *
 * <p>It checks the node's side of the contract: never more than {@code maxApplyBatchesInFlight}
 * batches outstanding, and no snapshot or restore while anything handed over is unreported. After the
 * node stops it may go on applying and reporting (see {@link #drainAfterStop}); the node must ignore that
 * (the {@link CompletionChecker} sees any second completion). Single-threaded, like the simulation.
 */
final class StreamingAdapter implements StreamingStateMachine, Agent {

    private final ObservedStateMachine kv;
    /** Where the one command applied at a time puts its result or rejection. */
    private final OneResult one = new OneResult();
    private final SplittableRandom random;
    private final int maxBatches;
    private final long nodeId;
    /** Views handed over and not yet fully applied, oldest first (at most {@link #maxBatches}). */
    private final ArrayDeque<LogEntries> pending = new ArrayDeque<>();
    /** Entries of the oldest pending view already applied. */
    private int cursor;
    private ApplyProgress progress;
    /** The last command applied, and the last one reported applied. */
    private long appliedIndex;
    private long reportedIndex;
    /** Views handed over whose commands are not all reported yet. */
    private int unreportedViews;
    private final ArrayDeque<Long> viewEnds = new ArrayDeque<>();

    StreamingAdapter(long nodeId, ObservedStateMachine kv, SplittableRandom random, int maxBatches) {
        this.nodeId = nodeId;
        this.kv = kv;
        this.random = random;
        this.maxBatches = maxBatches;
    }

    @Override
    public void accept(LogEntries commands, ApplyProgress progress) {
        if (unreportedViews == maxBatches) {
            throw new AssertionError("node " + nodeId + " handed over a batch at " + commands.firstIndex()
                    + " with " + maxBatches + " batches unreported");
        }
        if (commands.count() == 0 || commands.firstIndex() <= appliedIndex) {
            throw new AssertionError("node " + nodeId + " handed over commands " + commands.firstIndex() + "+"
                    + commands.count() + " after applying " + appliedIndex);
        }
        this.progress = progress;
        pending.add(commands);
        viewEnds.add(commands.lastIndex());
        unreportedViews++;
        if (random.nextInt(8) == 0) {
            applyUpTo(Long.MAX_VALUE);
            report(appliedIndex);
        }
    }

    @Override
    public String roleName() {
        return "sm-stream-" + nodeId;
    }

    @Override
    public int doWork() {
        if (appliedIndex == reportedIndex && pending.isEmpty()) {
            return 0;
        }
        int roll = random.nextInt(16);
        if (roll < 9) {
            return 0; // late
        }
        int work = 0;
        if (roll < 14 && !pending.isEmpty()) {
            work += applyUpTo(1 + random.nextInt(40)); // a burst, ending anywhere
        }
        if (roll >= 12 && appliedIndex > reportedIndex) {
            report(appliedIndex); // progress for everything applied so far, at once
            work++;
        }
        return work;
    }

    /** Applies up to {@code max} commands from the pending views; reports their results (not the progress). */
    private int applyUpTo(long max) {
        int applied = 0;
        while (applied < max && !pending.isEmpty()) {
            LogEntries view = pending.peek();
            long index = view.firstIndex() + cursor;
            one.clear();
            kv.applyOne(view, cursor, one);
            if (one.rejected) {
                progress.reject(index, one.code, one.message);
            } else {
                progress.result(index, one.result);
            }
            appliedIndex = index;
            applied++;
            if (++cursor == view.count()) {
                pending.poll();
                cursor = 0;
            }
        }
        return applied;
    }

    private void report(long index) {
        progress.applied(index);
        reportedIndex = index;
        while (!viewEnds.isEmpty() && viewEnds.peek() <= index) {
            viewEnds.poll();
            unreportedViews--;
        }
    }

    /** The node stopped (closed, or failed): apply and report everything still held, as a late state machine would. */
    void drainAfterStop() {
        if (progress != null) {
            applyUpTo(Long.MAX_VALUE);
            if (appliedIndex > reportedIndex) {
                report(appliedIndex);
            }
        }
    }

    @Override
    public Object query(io.ringraft.api.Bytes query) {
        return kv.query(query);
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        requireAllReported("snapshot");
        return kv.snapshot();
    }

    @Override
    public void restore(java.io.InputStream data) throws java.io.IOException {
        requireAllReported("restore");
        kv.restore(data);
        appliedIndex = kv.lastIndex();
        reportedIndex = appliedIndex;
    }

    private void requireAllReported(String what) {
        if (!pending.isEmpty() || appliedIndex != reportedIndex) {
            throw new AssertionError("node " + nodeId + " asked for a " + what + " with commands outstanding: "
                    + pending.size() + " views pending, applied " + appliedIndex + ", reported " + reportedIndex);
        }
    }

    /** The result (or rejection) of one command applied alone. */
    private static final class OneResult implements StateMachine.ApplyResults {
        Object result;
        boolean rejected;
        int code;
        String message;

        void clear() {
            result = null;
            rejected = false;
            message = null;
        }

        @Override
        public void set(int offset, Object value) {
            result = value;
            rejected = false;
        }

        @Override
        public void reject(int offset, int rejectionCode, String rejectionMessage) {
            rejected = true;
            code = rejectionCode;
            message = rejectionMessage;
        }
    }
}
