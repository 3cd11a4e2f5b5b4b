package io.ringraft.net.netty.internal.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The client's side of one session: its id, the next sequence number, the sequences whose calls are
 * still open (the lowest is what the session acknowledges below), and the writes waiting for room in
 * the window. The window keeps at most {@code window} sequences between the oldest open one and the
 * next, so the group never holds more answers for this session than it keeps (else the oldest write
 * could find the session full of younger answers, forever). Open and waiting calls are bounded by the
 * client's in-flight bound. Thread-safe.
 */
final class ClientSession {

    final long clientId;
    private final int window;
    private long nextSeq = 1;
    private final TreeSet<Long> open = new TreeSet<>();
    private final ArrayDeque<LeaderCall> waiting = new ArrayDeque<>();

    ClientSession(long clientId, int window) {
        this.clientId = clientId;
        this.window = window;
    }

    /** Gives {@code call} the next sequence if the window has room (true), else queues it (false). */
    synchronized boolean begin(LeaderCall call) {
        if (waiting.isEmpty() && hasRoom()) {
            assign(call);
            return true;
        }
        waiting.add(call);
        return false;
    }

    /** Closes {@code seq}; returns the waiting calls that got a sequence now, to be started by the caller. */
    synchronized List<LeaderCall> end(long seq) {
        open.remove(seq);
        List<LeaderCall> ready = List.of();
        while (!waiting.isEmpty() && hasRoom()) {
            if (ready.isEmpty()) {
                ready = new ArrayList<>();
            }
            LeaderCall call = waiting.poll();
            assign(call);
            ready.add(call);
        }
        return ready;
    }

    /** Takes a waiting call out of the queue (its deadline passed); false if it got a sequence already. */
    synchronized boolean abandon(LeaderCall call) {
        return waiting.remove(call);
    }

    /** Every sequence below this has its answer at the caller (or was given up on). */
    synchronized long ackedBelow() {
        return open.isEmpty() ? nextSeq : open.first();
    }

    private boolean hasRoom() {
        return nextSeq - (open.isEmpty() ? nextSeq : open.first()) < window;
    }

    private void assign(LeaderCall call) {
        call.seq = nextSeq++;
        open.add(call.seq);
    }
}
