/**
 * Examples for RingRaft. <b>Not implemented yet</b>; this package is a placeholder and contains no
 * classes.
 *
 * <p>It will hold a replicated key-value store speaking the Redis protocol, a launcher for a local
 * cluster and a benchmark driver that records latency with HdrHistogram. The work is tracked by
 * the examples issue.
 */
package io.ringraft.examples;
