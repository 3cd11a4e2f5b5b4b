package io.ringraft.internal.host.link;

/**
 * One peer process as the host link sees it: its outbox and its liveness.
 *
 * <p>{@link #heard} and {@link #sent} are set by any thread that receives from or sends to the peer
 * (a volatile read first, so a busy peer costs no write per message); the liveness fields are read,
 * cleared and moved on only under the link's liveness lock, by {@code checkPeers} and {@code keepAlive}.
 */
final class Peer {

    /** A time not yet set: the next check starts the peer's clock. */
    static final long UNSET = Long.MIN_VALUE;

    final long nodeId;
    final PeerOutbox outbox;

    private volatile boolean heard;
    private volatile boolean sent;

    // guarded by the link's liveness lock
    long lastHeardNanos = UNSET;
    long lastSentNanos = UNSET;
    boolean lost;

    Peer(long selfId, long nodeId, int maxPending) {
        this.nodeId = nodeId;
        this.outbox = new PeerOutbox(selfId, nodeId, maxPending);
    }

    /** Something arrived from this peer (any thread). */
    void markHeard() {
        if (!heard) {
            heard = true;
        }
    }

    /** Something was accepted for sending to this peer (any thread). */
    void markSent() {
        if (!sent) {
            sent = true;
        }
    }

    /** Liveness lock only: whether anything arrived since the last call. */
    boolean takeHeard() {
        if (heard) {
            heard = false;
            return true;
        }
        return false;
    }

    /** Liveness lock only: whether anything was sent since the last call. */
    boolean takeSent() {
        if (sent) {
            sent = false;
            return true;
        }
        return false;
    }
}
