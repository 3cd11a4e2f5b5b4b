package io.ringraft.spi;

import io.ringraft.api.Bytes;

/**
 * The user's replicated state machine. RingRaft calls it with committed commands, in log order, on
 * every node, so every node that applied index {@code i} holds the same state.
 *
 * <p><b>Threads.</b> Called by one thread at a time (the node's applier task), never concurrently.
 * {@link #apply} may take time, but while it runs, the node applies nothing else; a slow state
 * machine slows down proposals that wait for their results, and, once the ring is full of
 * unapplied entries, back-pressures proposers.
 *
 * <p><b>Determinism.</b> {@link #apply} must be deterministic: the same commands in the same order
 * give the same state and results on every node. Do not read clocks or random sources in it.
 */
public interface StateMachine {

    /**
     * Applies a batch of committed commands. {@code entries} holds only user commands (never Raft's
     * internal entries), consecutive in index, and is valid only during the call: copy any payload
     * you keep. Set one result per entry in {@code results} (offset {@code i} for
     * {@code entries.firstIndex() + i}); a result left unset is {@code null}. Results are handed to
     * the proposer on the node that proposed the command, and dropped on other nodes.
     *
     * <p>An exception thrown here stops the node (the state machine's state is then unknown).
     */
    void apply(LogEntries entries, ApplyResults results);

    /**
     * Answers a linearizable read ({@code RaftNode.read}) against the current state, without
     * changing it. Called on the applier thread, between {@link #apply} calls, once every command
     * committed before the read began is applied; so the answer reflects all of them. The query's
     * bytes are what {@code RaftNode.read} was given, as a view valid only during the call. State
     * machines that serve no reads need not implement it.
     *
     * @param query the bytes given to {@code RaftNode.read}
     * @return the read's result, handed to the reader
     */
    default Object query(Bytes query) {
        throw new UnsupportedOperationException(getClass().getName() + " does not answer reads");
    }

    /**
     * Captures the state as of the last applied entry, for a snapshot. Called on the applier thread
     * between {@link #apply} calls, so nothing is applied while it runs: return quickly with a
     * point-in-time view (an immutable or copy-on-write structure, a copy, a database snapshot) and
     * let {@link Snapshot#writeTo} do the slow part. {@code writeTo} is then called on the node's
     * snapshot thread while applying goes on, so the view must not change when later commands are
     * applied. Called only when the node has a {@link SnapshotStore}; the default says snapshots
     * are not supported (the node then keeps its whole log).
     */
    default Snapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the whole state with the one a snapshot holds (written by {@link Snapshot#writeTo}
     * on this or another node). Called on the applier thread, or on the thread that starts the node
     * before any {@link #apply}; the next {@code apply} continues after the snapshot's last entry.
     * Read {@code data} to its end: the store verifies the data there. If this throws, the node
     * stops (its state is then unknown).
     */
    default void restore(java.io.InputStream data) throws java.io.IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot restore snapshots");
    }

    /** A point-in-time view of the state, returned by {@link #snapshot()}. */
    @FunctionalInterface
    interface Snapshot {
        /**
         * Writes the state to {@code out}. Called once, on the node's snapshot thread (which may
         * block here as long as it takes; applying continues meanwhile). Do not close {@code out}.
         */
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    /** Where {@link StateMachine#apply} puts its results. Reused between calls; not thread-safe. */
    interface ApplyResults {
        /** Sets the result of the entry at {@code offset} of the current batch. */
        void set(int offset, Object result);
    }
}
