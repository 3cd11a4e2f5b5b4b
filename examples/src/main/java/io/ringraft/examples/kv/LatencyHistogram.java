package io.ringraft.examples.kv;

/**
 * Latencies in log-linear buckets (32 per power of two, so a percentile is within about 3 % of the
 * truth): a fixed 2,048 counters whatever the number of samples. Thread-safe (synchronized).
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 5;
    private final long[] counts = new long[64 << SUB_BITS];
    private long total;

    synchronized void record(long nanos) {
        counts[bucket(Math.max(1, nanos))]++;
        total++;
    }

    synchronized long count() {
        return total;
    }

    /** {@return the latency at percentile {@code p} (0..100) in nanoseconds, the bucket's upper edge; 0 if empty} */
    synchronized long percentile(double p) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * p / 100.0);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return upperEdge(i);
            }
        }
        return upperEdge(counts.length - 1);
    }

    static int bucket(long value) {
        int msb = 63 - Long.numberOfLeadingZeros(value);
        if (msb < SUB_BITS) {
            return (int) value;
        }
        int sub = (int) (value >>> (msb - SUB_BITS)) & ((1 << SUB_BITS) - 1);
        return ((msb - SUB_BITS + 1) << SUB_BITS) | sub;
    }

    static long upperEdge(int bucket) {
        int group = bucket >>> SUB_BITS;
        int sub = bucket & ((1 << SUB_BITS) - 1);
        if (group == 0) {
            return sub;
        }
        int msb = group + SUB_BITS - 1;
        long base = (1L << msb) | ((long) sub << (msb - SUB_BITS));
        return base + (1L << (msb - SUB_BITS)) - 1;
    }
}
