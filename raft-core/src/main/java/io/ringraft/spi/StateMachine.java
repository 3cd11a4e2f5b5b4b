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
     * <p><b>Refusing a command.</b> To refuse one command (invalid for the current state: a missing key,
     * an overdrawn account), leave the state unchanged and call {@link ApplyResults#reject}: the proposer
     * gets an {@code io.ringraft.api.RejectedByStateMachineException} with your code and message, and the
     * node goes on. Decide it from the command and the state only, so that every replica rejects it too.
     *
     * <p><b>Throwing</b> stops the node (fail-stop: the state machine's state is then unknown): pending
     * proposals fail with {@code io.ringraft.api.StateMachineFailedException} and
     * {@code RaftNode.status().failure()} says why. The command is committed, so a restarted node applies
     * it again: throw only for a bug or a failure of the state machine's own resources, never to refuse
     * a command.
     *
     * @param entries the committed commands, in index order; a view valid only during the call
     * @param results where to put each command's result (or rejection), by offset in {@code entries}
     */
    void apply(LogEntries entries, ApplyResults results);

    /**
     * Answers a linearizable read ({@code RaftNode.read}) against the current state, without
     * changing it. Called on the applier thread, between {@link #apply} calls, once every command
     * committed before the read began is applied; so the answer reflects all of them. The query's
     * bytes are what {@code RaftNode.read} was given, as a view valid only during the call. State
     * machines that serve no reads need not implement it. An exception thrown here fails only that
     * read (with {@code io.ringraft.api.StateMachineFailedException} carrying it); the node goes on.
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
     * are not supported (the node then keeps its whole log). Any other exception, here or from
     * {@link Snapshot#writeTo} (other than the output stream's own {@code IOException}, a storage
     * failure), stops the node with {@code io.ringraft.api.StateMachineFailedException}.
     *
     * @return a view of the state as of the last applied entry, which later commands do not change
     */
    default Snapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the whole state with the one a snapshot holds (written by {@link Snapshot#writeTo}
     * on this or another node). Called on the applier thread, or on the thread that starts the node
     * before any {@link #apply}; the next {@code apply} continues after the snapshot's last entry.
     * Read {@code data} to its end: the store verifies the data there. If this throws, the node
     * stops (its state is then unknown) with {@code io.ringraft.api.StateMachineFailedException}, or, if
     * reading {@code data} failed, as a storage failure; at startup {@code RaftNode.Builder.build()}
     * throws that exception instead.
     *
     * @param data the snapshot's data, as {@link Snapshot#writeTo} wrote it; read it to its end
     * @throws java.io.IOException if reading {@code data} failed: let the stream's exception through,
     *                             the node treats it as a storage failure (an {@code IOException} the
     *                             stream did not throw counts as the state machine's failure)
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
         *
         * @param out where the snapshot's data goes (the snapshot store's stream)
         * @throws java.io.IOException if writing to {@code out} failed: let the stream's exception through,
         *                             the node then stops as for a storage failure (an {@code IOException}
         *                             the stream did not throw counts as the state machine's failure)
         */
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    /**
     * Where {@link StateMachine#apply} puts its results: implemented by the node, called by the state
     * machine inside {@code apply} on the applier thread. Reused between calls; not thread-safe.
     */
    interface ApplyResults {
        /**
         * Sets the result of the entry at {@code offset} of the current batch. Replaces a result or a
         * rejection set for the same offset (the last call wins).
         *
         * @param offset the entry's offset in the current batch, {@code 0 <= offset < entries.count()}
         * @param result the command's result, handed to its proposer on the node that proposed it; may be
         *               null
         */
        void set(int offset, Object result);

        /**
         * Rejects the command at {@code offset} of the current batch instead of setting a result: its
         * proposer (on the node that proposed it) gets an {@code io.ringraft.api.RejectedByStateMachineException}
         * carrying {@code code}, {@code message} and the entry's index; elsewhere it is dropped, like a
         * result. The node goes on applying. Leave the state unchanged for a rejected command, and reject
         * deterministically (from the command and the state only): every replica must agree. Replaces a
         * result set for the same offset (the last call wins). Allocates one small object.
         *
         * <p>The node's implementation supports it; the default, for test doubles written as a lambda of
         * {@link #set}, throws {@link UnsupportedOperationException}.
         *
         * @param offset  the entry's offset in the current batch
         * @param code    the rejection's code, the state machine's own numbering
         * @param message a description for the proposer, or null
         */
        default void reject(int offset, int code, String message) {
            throw new UnsupportedOperationException(getClass().getName() + " takes no rejections (offset " + offset
                    + ", code " + code + ", " + message + ")");
        }
    }
}
