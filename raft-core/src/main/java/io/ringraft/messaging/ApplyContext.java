package io.ringraft.messaging;

/**
 * What a {@link MessagingStateMachine} may do while it applies one command or one inbound message:
 * emit messages to other groups, and (for a command) refuse it. Implemented by the library, passed to
 * {@link MessagingStateMachine#apply} and {@link MessagingStateMachine#receive} on the applier thread and
 * valid only during that call. Not thread-safe.
 */
public interface ApplyContext {

    /**
     * The log index of the entry being applied: the same on every replica.
     *
     * @return the entry's index
     */
    long index();

    /**
     * Emits a message to group {@code targetGroup}. It becomes part of this group's replicated state at
     * once (and of its snapshots), is delivered by this group's leader to the target's leader, and is
     * applied there exactly once, after every message this group emitted to that target before it.
     * Emission is deterministic: every replica emits the same messages at the same index.
     *
     * <p>Returns false, and emits nothing, when the outbox is at its capacity
     * ({@link OutboxSettings#capacity()}). That too is the same on every replica, so the state machine can
     * refuse the command deterministically ({@link #reject}) and leave its state unchanged. The arrays are
     * copied.
     *
     * @param targetGroup the group to send to (not this group)
     * @param key         the receiver's routing key, may be empty
     * @param payload     the message's bytes
     * @return true if the message was added to the outbox, false if the outbox is full
     * @throws IllegalArgumentException if {@code targetGroup} is this group, or the message could never be
     *                                  delivered: it does not fit one delivery
     *                                  ({@link OutboxSettings#maxBatchBytes()}). Check sizes before: throwing
     *                                  from apply stops the node.
     */
    boolean emit(long targetGroup, byte[] key, byte[] payload);

    /**
     * Refuses the command being applied: its proposer gets an
     * {@code io.ringraft.api.RejectedByStateMachineException} with this code and message. Leave the state
     * unchanged for a refused command; what it emitted before refusing is taken back from the outbox when
     * {@code apply} returns (a refused command emits nothing). Not available in
     * {@link MessagingStateMachine#receive} (a message is applied exactly once and cannot be refused).
     *
     * @param code    the state machine's own code
     * @param message a description, or null
     * @throws IllegalStateException if called from {@code receive}
     */
    void reject(int code, String message);
}
