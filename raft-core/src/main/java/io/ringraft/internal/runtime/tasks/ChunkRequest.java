package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.LogId;

/**
 * A snapshot chunk the core asks a {@link PeerSender} to send: the chunk of {@code snapshot} at
 * {@code offset}, for the leader of {@code term}. Set by the core, taken by the sender (the newest
 * request wins). Immutable.
 */
public record ChunkRequest(long term, LogId snapshot, long offset) {
}
