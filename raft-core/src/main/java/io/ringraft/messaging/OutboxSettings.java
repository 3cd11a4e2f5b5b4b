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
 * @param maxBatchMessages  most messages in one delivery to one target
 * @param maxBatchBytes     most bytes of one delivery (it is one log entry in the target group; keep it
 *                          at or under the target's {@code RaftConfig.maxEntryBytes()}, or every delivery
 *                          is refused there: the deliverer logs a warning and retries for ever); a message
 *                          that cannot fit one delivery is refused by {@link ApplyContext#emit}
 * @param retryDelay        how long a pair waits after a failed delivery before trying again
 * @param maxBatchesInFlight most deliveries to one target in flight at once (sent, not answered yet): the
 *                          in-flight bound per pair is {@code maxBatchesInFlight * maxBatchMessages} messages.
 *                          1 sends a pair's next batch only once the last one was answered; more pipelines
 *                          them, which raises a pair's throughput when a delivery's round trip (a commit in
 *                          the target) dominates. Exactly-once and per-pair order do not depend on it (the
 *                          target applies only the next sequence of each source); a batch that fails or
 *                          arrives after a gap makes the pair resend from the target's last applied sequence
 *                          once its other batches are answered
 */
public record OutboxSettings(int capacity, int highWaterMark, int maxBatchMessages, int maxBatchBytes,
                             Duration retryDelay, int maxBatchesInFlight) {

    /** The default of {@link #maxBatchesInFlight()}. */
    public static final int DEFAULT_BATCHES_IN_FLIGHT = 8;

    /**
     * Checks the bounds.
     *
     * @param capacity         most messages the outbox holds
     * @param highWaterMark    depth from which proposals are refused
     * @param maxBatchMessages most messages in one delivery
     * @param maxBatchBytes    most bytes of one delivery
     * @param retryDelay       wait after a failed delivery
     * @param maxBatchesInFlight most deliveries per target in flight at once
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
        if (maxBatchesInFlight < 1 || maxBatchesInFlight > 1024) {
            throw new IllegalArgumentException("maxBatchesInFlight must be in 1..1024, got " + maxBatchesInFlight);
        }
    }

    /**
     * Settings with {@link #DEFAULT_BATCHES_IN_FLIGHT} deliveries in flight per pair.
     *
     * @param capacity         most messages the outbox holds
     * @param highWaterMark    depth from which proposals are refused
     * @param maxBatchMessages most messages in one delivery
     * @param maxBatchBytes    most bytes of one delivery
     * @param retryDelay       wait after a failed delivery
     * @throws IllegalArgumentException as the canonical constructor
     */
    public OutboxSettings(int capacity, int highWaterMark, int maxBatchMessages, int maxBatchBytes,
                          Duration retryDelay) {
        this(capacity, highWaterMark, maxBatchMessages, maxBatchBytes, retryDelay, DEFAULT_BATCHES_IN_FLIGHT);
    }

    /**
     * These settings with another in-flight bound.
     *
     * @param batches most deliveries per target in flight at once
     * @return the changed copy
     * @throws IllegalArgumentException if {@code batches} is not in 1..1024
     */
    public OutboxSettings withMaxBatchesInFlight(int batches) {
        return new OutboxSettings(capacity, highWaterMark, maxBatchMessages, maxBatchBytes, retryDelay, batches);
    }

    /**
     * The defaults: 10,000 messages, high-water mark 8,000, 64 messages and 4 KiB per delivery (a host
     * group's {@code RaftConfig.maxEntryBytes()}), 50 ms between retries, 8 deliveries in flight per pair.
     *
     * @return the default settings
     */
    public static OutboxSettings defaults() {
        return new OutboxSettings(10_000, 8_000, 64, 4 << 10, Duration.ofMillis(50));
    }
}
