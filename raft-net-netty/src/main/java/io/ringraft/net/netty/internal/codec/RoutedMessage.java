package io.ringraft.net.netty.internal.codec;

import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;

/**
 * A decoded Raft message with the group id of its frame: the receiver routes it to node
 * {@code message.to()} of group {@code groupId}.
 *
 * <p>The message may hold memory of the frame it was decoded from (see
 * {@link MessageCodec#decode}): whoever drops it before a node accepted it releases it, through
 * {@link #release()}.
 */
public record RoutedMessage(long groupId, RaftMessage message) {

    /** Gives back the frame memory {@link #message()} holds, if any; idempotent. */
    public void release() {
        Releasable.release(message);
    }
}
