package io.ringraft.net.netty.internal.codec;

import io.ringraft.message.RaftMessage;

/**
 * A decoded Raft message with the group id of its frame: the receiver routes it to node
 * {@code message.to()} of group {@code groupId}.
 */
public record RoutedMessage(long groupId, RaftMessage message) {
}
