package io.ringraft.net.netty.internal.client;

import java.util.TreeSet;

/**
 * The client's side of one session: its id, the next sequence number, and the sequences whose calls
 * are still open (the lowest of them is what the session acknowledges below). Holds at most the
 * client's in-flight bound of open sequences. Thread-safe.
 */
final class ClientSession {

    final long clientId;
    private long nextSeq = 1;
    private final TreeSet<Long> open = new TreeSet<>();

    ClientSession(long clientId) {
        this.clientId = clientId;
    }

    synchronized long begin() {
        long seq = nextSeq++;
        open.add(seq);
        return seq;
    }

    synchronized void end(long seq) {
        open.remove(seq);
    }

    /** Every sequence below this has its answer at the caller (or was given up on). */
    synchronized long ackedBelow() {
        return open.isEmpty() ? nextSeq : open.first();
    }
}
