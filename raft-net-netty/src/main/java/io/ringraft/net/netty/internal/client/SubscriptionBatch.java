package io.ringraft.net.netty.internal.client;

import io.ringraft.messaging.CommittedEntry;
import java.util.List;

/**
 * One SUBSCRIPTION_BATCH frame: the matching committed entries the replica read from {@code fromIndex} up to
 * (not including) {@code nextIndex}. The subscriber checks that {@code fromIndex} is where the previous batch
 * ended, so a batch can be neither skipped nor repeated unnoticed.
 *
 * @param groupId   the group
 * @param requestId the SUBSCRIBE request it answers
 * @param fromIndex the first log index the batch covers
 * @param nextIndex the index after the last one it covers
 * @param entries   the matching entries among them (at least one)
 */
record SubscriptionBatch(long groupId, long requestId, long fromIndex, long nextIndex, List<CommittedEntry> entries) {
}
