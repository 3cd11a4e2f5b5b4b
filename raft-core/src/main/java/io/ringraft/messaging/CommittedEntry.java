package io.ringraft.messaging;

import java.util.List;

/**
 * A committed user command as a {@link KeyedSubscription} delivers it. Immutable apart from the arrays,
 * which belong to the subscriber.
 *
 * @param index   its log index: resume after it with {@code index + 1}
 * @param keys    the keys it was proposed with (empty if none)
 * @param command the command's bytes, as given to {@link MessagingGroup#propose}
 */
public record CommittedEntry(long index, List<byte[]> keys, byte[] command) {
}
