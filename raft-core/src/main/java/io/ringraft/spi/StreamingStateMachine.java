package io.ringraft.spi;

import io.ringraft.api.Bytes;

/**
 * A replicated state machine that takes committed commands as a stream and reports its progress
 * later, possibly for many commands at once: the form for a state machine backed by an external
 * store, or one that batches its own writes. The synchronous {@link StateMachine} stays the simple
 * form; a node takes either ({@code RaftNode.builder().stateMachine(...)}).
 *
 * <p><b>Threads.</b> {@link #accept} is called by the node's applier thread, one call at a time, in
 * log order. It must not block: it hands the commands to the state machine's own work (or applies them
 * at once) and returns. The state machine then reports through the {@link ApplyProgress} it was given,
 * from any thread, whenever it has applied commands. It must report everything it was handed eventually
 * without waiting for more commands (one that batches its writes flushes on a timer or when idle too):
 * snapshots and restores wait for it to catch up, and hold back further commands meanwhile.
 *
 * <p><b>Views.</b> The {@link LogEntries} passed to {@code accept} is a view over the node's ring
 * buffer, not a copy. It stays readable (the node never reuses its memory) until the state machine
 * reports {@link ApplyProgress#applied} at or beyond its last entry, also after the node stopped; after
 * that it may change under the reader. Copy what you keep longer. A view is not thread-safe: read it
 * from one thread at a time.
 *
 * <p><b>Bounded.</b> The node hands out at most {@code RaftConfig.maxApplyBatchesInFlight()} views that
 * are not yet reported applied, and no snapshot (see {@link #snapshot}) while any is outstanding. Entries
 * not yet reported applied stay in the ring: a state machine that falls behind fills the ring and then
 * back-pressures proposers ({@code RejectedException}), it never makes the node's memory grow. Results of
 * proposals reach their proposers only as reported progress passes their entries; linearizable reads are
 * answered once reported progress reaches their read index.
 *
 * <p><b>Determinism.</b> As for {@link StateMachine}: the same commands in the same order give the same
 * state and results on every node.
 */
public interface StreamingStateMachine {

    /**
     * Takes the next committed commands: only user commands (Raft's own entries are never passed),
     * consecutive in index, starting right after the commands of the previous call or after entries
     * that are not commands. Must not block. May report progress before returning.
     *
     * <p>To refuse one command, report {@link ApplyProgress#reject} for it (deterministically, as every
     * replica must agree). An exception thrown here stops the node (the state machine's state is then
     * unknown) with {@code io.ringraft.api.StateMachineFailedException}; a failure on the state machine's
     * own threads does the same through {@link ApplyProgress#fail}.
     *
     * @param commands the committed commands, in index order: a view over the ring, readable until
     *                 progress is reported at or beyond its last entry (see above)
     * @param progress where to report results and progress, from any thread (the same object on every
     *                 call)
     */
    void accept(LogEntries commands, ApplyProgress progress);

    /**
     * Answers a linearizable read, as {@link StateMachine#query}. Called on the applier thread once
     * reported progress has reached the read's index, while the state machine may be applying later
     * commands on its own threads: answer from a state that includes at least every command reported
     * applied (including later committed commands is harmless), safely against those threads. An
     * exception fails only that read, as for {@link StateMachine#query}.
     *
     * @param query the bytes given to {@code RaftNode.read}, valid during the call
     * @return the read's result, handed to the reader
     */
    default Object query(Bytes query) {
        throw new UnsupportedOperationException(getClass().getName() + " does not answer reads");
    }

    /**
     * Captures the state for a snapshot, as {@link StateMachine#snapshot}. Called on the applier thread
     * only when every command handed to {@link #accept} has been reported applied, and nothing is handed
     * over until it returns, so the state is exactly that of the last reported command. The node holds
     * back further commands while it waits for that point (a snapshot costs a pause in the stream).
     *
     * @return a view of the state as of the last reported command, which later commands do not change
     */
    default StateMachine.Snapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the whole state with a snapshot's, as {@link StateMachine#restore}. Called on the thread
     * that builds the node (before any {@link #accept}), or on the applier thread only when every command
     * handed over has been reported applied; the next {@code accept} continues after the snapshot.
     *
     * @param data the snapshot's data, as {@link StateMachine.Snapshot#writeTo} wrote it; read it to its end
     * @throws java.io.IOException if reading {@code data} failed, as for {@link StateMachine#restore}
     */
    default void restore(java.io.InputStream data) throws java.io.IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot restore snapshots");
    }
}
