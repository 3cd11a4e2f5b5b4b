package io.ringraft.spi;

import io.ringraft.message.LogEntries;

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
     * committed before the read began is applied; so the answer reflects all of them. The buffer is
     * valid only during the call. State machines that serve no reads need not implement it.
     *
     * @return the read's result, handed to the reader
     */
    default Object query(org.agrona.DirectBuffer query, int offset, int length) {
        throw new UnsupportedOperationException(getClass().getName() + " does not answer reads");
    }

    /** Where {@link StateMachine#apply} puts its results. Reused between calls; not thread-safe. */
    interface ApplyResults {
        /** Sets the result of the entry at {@code offset} of the current batch. */
        void set(int offset, Object result);
    }
}
