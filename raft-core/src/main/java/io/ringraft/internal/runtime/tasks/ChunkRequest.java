package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.LogId;

/**
 * A snapshot chunk the core asks a {@link PeerSender} to send: the chunk of {@code snapshot} at
 * {@code offset}, for the leader of {@code term}. Set by the core, taken by the sender (the newest
 * request wins). Immutable.
 */
public record ChunkRequest(long term, LogId snapshot, long offset) {

    /**
     * The sender's answer, put where the request was: {@code snapshot} cannot be read any more (the
     * store no longer has it and the sender had it no longer open). The core takes it and tells the
     * engine, which starts that transfer over with the newest snapshot; the sender never takes it.
     */
    static ChunkRequest unavailable(long term, LogId snapshot) {
        return new ChunkRequest(term, snapshot, -1);
    }

    /** Whether this is the sender's {@link #unavailable} answer rather than a request. */
    boolean unavailable() {
        return offset < 0;
    }
}
