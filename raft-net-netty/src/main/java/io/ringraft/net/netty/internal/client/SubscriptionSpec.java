package io.ringraft.net.netty.internal.client;

import io.ringraft.messaging.KeyFilter;

/**
 * What a SUBSCRIBE request asks for.
 *
 * @param fromIndex       the first log index to read
 * @param window          most batches the replica may have sent and the subscriber not taken (its credit's cap)
 * @param credit          batches the replica may send before the subscriber grants more (CREDIT), at most window
 * @param maxBatchEntries most log entries read for one batch
 * @param maxBatchBytes   most bytes of log entries read for one batch, about
 * @param filter          which commands to send
 */
record SubscriptionSpec(long fromIndex, int window, int credit, int maxBatchEntries, int maxBatchBytes, KeyFilter filter) {

    /** Most batches a subscription may have outstanding. */
    static final int MAX_WINDOW = 1024;
    /** Bounds of one batch's read. */
    static final int MAX_BATCH_ENTRIES = 65_535;
    static final int MIN_BATCH_BYTES = 1024;
    static final int MAX_BATCH_BYTES = 4 << 20;
    /** Most keys in a filter. */
    static final int MAX_KEYS = 1024;

    /** Checks the bounds; returns null if they hold, else what is wrong. */
    String problem() {
        if (fromIndex < 1) {
            return "fromIndex " + fromIndex + " < 1";
        }
        if (window < 1 || window > MAX_WINDOW) {
            return "window " + window + " outside 1.." + MAX_WINDOW;
        }
        if (credit < 0 || credit > window) {
            return "credit " + credit + " outside 0..window (" + window + ")";
        }
        if (maxBatchEntries < 1 || maxBatchEntries > MAX_BATCH_ENTRIES) {
            return "maxBatchEntries " + maxBatchEntries + " outside 1.." + MAX_BATCH_ENTRIES;
        }
        if (maxBatchBytes < MIN_BATCH_BYTES || maxBatchBytes > MAX_BATCH_BYTES) {
            return "maxBatchBytes " + maxBatchBytes + " outside " + MIN_BATCH_BYTES + ".." + MAX_BATCH_BYTES;
        }
        if (!filter.matchesEverything() && filter.keys().size() > MAX_KEYS) {
            return "more than " + MAX_KEYS + " keys";
        }
        return null;
    }
}
