package io.ringraft.messaging;

import java.util.Map;

/**
 * A messaging group's outbox and inbound progress on one replica, from {@link MessagingGroup#status()}.
 * Everything but {@code oldestAgeMillis} is replicated state (the same on every replica that applied the
 * same index); the age is measured on this replica's clock from when it applied (or restored from a
 * snapshot) the oldest undelivered message. Immutable.
 *
 * @param depth              undelivered (not yet acknowledged) messages, over every target
 * @param bytes              their key and payload bytes
 * @param depthPerTarget     undelivered messages per target group (targets with none are left out)
 * @param oldestIndex        the log index of the command that emitted the oldest undelivered message, 0 if none
 * @param oldestAgeMillis    how long ago this replica applied that message, 0 if none
 * @param lastAppliedPerSource the last sequence applied from each source group (deduplication state)
 * @param refusing           whether new proposals are refused (depth at or above the high-water mark)
 */
public record OutboxStatus(int depth, long bytes, Map<Long, Integer> depthPerTarget, long oldestIndex,
                           long oldestAgeMillis, Map<Long, Long> lastAppliedPerSource, boolean refusing) {
}
