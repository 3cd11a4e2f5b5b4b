package io.ringraft.messaging;

/**
 * A message another group's state machine emitted to this group, as this group's
 * {@link MessagingStateMachine#receive} sees it: exactly once, and in sequence order per source group.
 * Created by the library on the applier thread; immutable apart from the arrays, which belong to the
 * receiver (the library keeps no reference to them after the call).
 *
 * @param sourceGroup the group whose state machine emitted the message
 * @param sequence    its position in the (source, this group) stream: 1, 2, 3, ... without gaps
 * @param key         the key the emitter gave (the receiver's own routing within the group), maybe empty
 * @param payload     the message's bytes
 */
public record InboundMessage(long sourceGroup, long sequence, byte[] key, byte[] payload) {
}
