package io.ringraft.examples.kv;

/**
 * An admin action that runs only on the leader was sent to another node ({@link ForwardingRouter}).
 * Nothing was done; the message names the leader so the client can send it there ({@code -ERR}, not
 * {@code -TRYAGAIN}: asking this node again will not help).
 */
public final class LeaderElsewhereException extends RuntimeException {

    private final long leaderId;

    /**
     * @param message  the whole message, naming the leader
     * @param leaderId the leader this node knows of
     */
    public LeaderElsewhereException(String message, long leaderId) {
        super(message, null, false, false);
        this.leaderId = leaderId;
    }

    /** The leader this node knows of. */
    public long leaderId() {
        return leaderId;
    }
}
