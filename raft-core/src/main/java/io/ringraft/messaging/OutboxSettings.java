package io.ringraft.messaging;

import java.time.Duration;

/**
 * The bounds of a messaging group's outbox and of its delivery. Immutable; made by the application (or
 * {@link #defaults()}) before it creates the group. Every replica of a group must use the same capacity and
 * high-water mark (they decide, deterministically, what apply accepts).
 *
 * @param capacity          most messages the outbox holds: {@link ApplyContext#emit} returns false at it
 *                          (in {@code apply} and in {@code receive} alike)
 * @param highWaterMark     outbox depth at or above which {@link MessagingGroup#propose} refuses new
 *                          commands with {@code RejectedException}; {@code capacity - highWaterMark} is
 *                          the room left for commands already in the log and for replies to inbound
 *                          messages
 * @param maxBatchMessages  most messages in one delivery to one target: the in-flight bound per pair
 * @param maxBatchBytes     most bytes of one delivery (it is one log entry in the target group; keep it
 *                          at or under the target's {@code RaftConfig.maxEntryBytes()}, or every delivery
 *                          is refused there: the deliverer logs a warning and retries for ever); a message
 *                          that cannot fit one delivery is refused by {@link ApplyContext#emit}
 * @param retryDelay        how long a pair waits after a failed delivery before trying again
 */
public record OutboxSettings(int capacity, int highWaterMark, int maxBatchMessages, int maxBatchBytes,
                             Duration retryDelay) {

    /**
     * Checks the bounds.
     *
     * @param capacity         most messages the outbox holds
     * @param highWaterMark    depth from which proposals are refused
     * @param maxBatchMessages most messages in one delivery
     * @param maxBatchBytes    most bytes of one delivery
     * @param retryDelay       wait after a failed delivery
     *
     * @throws IllegalArgumentException if a bound is not positive or the high-water mark exceeds the capacity
     */
    public OutboxSettings {
        if (capacity < 1 || highWaterMark < 1 || highWaterMark > capacity) {
            throw new IllegalArgumentException("need 1 <= highWaterMark <= capacity, got " + highWaterMark + " and "
                    + capacity);
        }
        if (maxBatchMessages < 1 || maxBatchBytes < 64) {
            throw new IllegalArgumentException("maxBatchMessages must be >= 1 and maxBatchBytes >= 64, got "
                    + maxBatchMessages + " and " + maxBatchBytes);
        }
        if (retryDelay == null || retryDelay.isNegative()) {
            throw new IllegalArgumentException("retryDelay must be >= 0: " + retryDelay);
        }
    }

    /**
     * The defaults: 10,000 messages, high-water mark 8,000, 64 messages and 4 KiB per delivery (a host
     * group's {@code RaftConfig.maxEntryBytes()}), 50 ms between retries.
     *
     * @return the default settings
     */
    public static OutboxSettings defaults() {
        return new OutboxSettings(10_000, 8_000, 64, 4 << 10, Duration.ofMillis(50));
    }
}
