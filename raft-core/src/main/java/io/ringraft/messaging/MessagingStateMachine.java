package io.ringraft.messaging;

import io.ringraft.api.Bytes;

/**
 * The application's state machine of a group that sends or receives messages between groups (issue 15).
 * The library wraps it ({@link MessagingGroup}) into the group's {@code StateMachine}, which keeps the
 * outbox and the per-source deduplication table in the replicated state next to the application's own.
 *
 * <p><b>Threads.</b> Called by the group's applier thread only, one call at a time, like
 * {@code io.ringraft.spi.StateMachine}; a slow call delays the group (and, in a {@code RaftHost}, the
 * other groups of its worker). <b>Determinism.</b> {@link #apply} and {@link #receive} must be
 * deterministic: same state and input, same changes and same emitted messages, on every replica.
 * Throwing from them stops the node (fail-stop), as from {@code StateMachine.apply}.
 */
public interface MessagingStateMachine {

    /**
     * Applies one committed user command (what {@link MessagingGroup#propose} was given).
     *
     * @param command the command's bytes, a view valid only during the call
     * @param context where to emit messages or refuse the command
     * @return the command's result, handed to its proposer (may be null)
     */
    Object apply(Bytes command, ApplyContext context);

    /**
     * Applies one message another group emitted to this one: called exactly once per message, in
     * sequence order per source group, at the same index on every replica. It may emit messages in turn
     * (a reply, a forward); it cannot refuse the message. Messages are applied even when the outbox is
     * full (refusing them could deadlock two groups that message each other), so {@code emit} may return
     * false here: keep what must be sent in the state and emit it later (from a later command or message),
     * or size {@link OutboxSettings#capacity()} above the high-water mark by what replies need.
     *
     * @param message the message, whose arrays now belong to the state machine
     * @param context where to emit messages
     */
    void receive(InboundMessage message, ApplyContext context);

    /**
     * Answers a linearizable read, as {@code StateMachine.query}.
     *
     * @param query the bytes given to {@code RaftNode.read}
     * @return the answer
     */
    default Object query(Bytes query) {
        throw new UnsupportedOperationException(getClass().getName() + " does not answer reads");
    }

    /**
     * Captures the application's state for a snapshot, as {@code StateMachine.snapshot}: a point-in-time
     * view that later commands and messages do not change. The library writes its own part (outbox,
     * deduplication table) before the application's.
     *
     * @return the view
     */
    default io.ringraft.spi.StateMachine.Snapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the application's state with a snapshot's, as {@code StateMachine.restore}; {@code data}
     * starts where the library's part ends. Read it to its end.
     *
     * @param data the application's part of the snapshot
     * @throws java.io.IOException if reading {@code data} failed
     */
    default void restore(java.io.InputStream data) throws java.io.IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot restore snapshots");
    }
}
