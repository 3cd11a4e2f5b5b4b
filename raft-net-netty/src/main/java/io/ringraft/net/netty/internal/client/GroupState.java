package io.ringraft.net.netty.internal.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a client knows of one group, shared by every handle to it: the leader and its term, the members
 * (sorted node ids), and the session. Updated from any thread, from every answer. Thread-safe.
 */
final class GroupState {

    volatile long leader;
    volatile long term;
    volatile long[] members = new long[0];
    final AtomicBoolean refreshing = new AtomicBoolean();
    final AtomicReference<CompletableFuture<ClientSession>> session = new AtomicReference<>();

    /** Learns the leader from an answer; true if the answer named a leader we did not know. */
    synchronized boolean learn(long answerTerm, long answerLeader) {
        if (answerLeader == 0 || answerTerm < term) {
            return false;
        }
        boolean changed = answerLeader != leader || answerTerm != term;
        leader = answerLeader;
        term = answerTerm;
        return changed;
    }

    synchronized void forget(long nodeId) {
        if (leader == nodeId) {
            leader = 0;
        }
    }
}
