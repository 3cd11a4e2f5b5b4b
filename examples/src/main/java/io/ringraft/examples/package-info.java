/**
 * Examples for RingRaft: measurement programs ({@link io.ringraft.examples.IdleClusterCpu},
 * {@link io.ringraft.examples.InProcessThroughput}) and, in {@link io.ringraft.examples.kv}, a
 * replicated key-value store speaking the Redis protocol with its cluster launcher.
 */
package io.ringraft.examples;
