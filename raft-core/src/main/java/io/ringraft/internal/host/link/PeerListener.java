package io.ringraft.internal.host.link;

/**
 * Learns when a peer process stops or starts being heard from, from {@link HostLink#checkPeers}.
 *
 * <p>Called on the thread that calls {@code checkPeers}, while it holds the link's liveness lock: calls
 * for one link never overlap, and each peer alternates lost, returned, lost... (a peer starts as alive,
 * so its first call is {@link #peerLost}). Must not block, must not call {@code checkPeers} or
 * {@code keepAlive} (anything else of the link is fine, e.g. {@code flush}). An exception it throws is
 * logged and does not undo the transition.
 */
public interface PeerListener {

    /** Reports nothing. */
    PeerListener NONE = new PeerListener() {
        @Override
        public void peerLost(long nodeId) {
        }

        @Override
        public void peerReturned(long nodeId) {
        }
    };

    /**
     * Nothing was heard from process {@code nodeId} for the peer timeout (no message of any group, no
     * batch, no keep-alive): the host wakes the groups it led.
     *
     * @param nodeId the peer process's node id
     */
    void peerLost(long nodeId);

    /**
     * Process {@code nodeId}, reported lost before, was heard from again.
     *
     * @param nodeId the peer process's node id
     */
    void peerReturned(long nodeId);
}
