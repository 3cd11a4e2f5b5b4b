package io.ringraft.internal.engine.membership;

/**
 * A cluster configuration and the index of the log entry that holds it (0 for the configuration a
 * node starts with). The runtime finds these in the log at recovery and hands them to the engine.
 *
 * @param index  the entry's index
 * @param config the configuration
 */
public record ConfigEntry(long index, ClusterConfig config) {
}
