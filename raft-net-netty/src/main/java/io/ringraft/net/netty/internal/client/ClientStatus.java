package io.ringraft.net.netty.internal.client;

/** How a replica answered a client request; its code is the response's {@code status} byte. */
public enum ClientStatus {
    /** Done: the payload is the result. */
    OK(0),
    /** This replica does not lead; the response names the leader it knows (0: none). Nothing happened. */
    NOT_LEADER(1),
    /** The state machine (or the session wrapper) rejected the command; the code says why. */
    REJECTED(2),
    /** Too many requests in flight here, or a full queue: nothing happened, retry later or elsewhere. */
    BUSY(3),
    /** The command may or may not have taken effect (leadership lost, node stopping). */
    INDETERMINATE(4),
    /** This node serves no such group. */
    UNKNOWN_GROUP(5),
    /** The request is not valid (for example a query result that is not bytes). */
    BAD_REQUEST(6),
    /** The replica lags more than the bounded-staleness read allows. */
    STALE(7),
    /** The request failed on the replica; the flag says whether it may have taken effect. */
    FAILED(8),
    /** A {@code tell}: the leader accepted the command into its log queue. */
    ACCEPTED(9),
    /** A subscription's start was purged from the replica's log; the payload is purgedIndex:i64 snapshotIndex:i64. */
    PURGED(10);

    final int code;

    ClientStatus(int code) {
        this.code = code;
    }

    static ClientStatus of(int code) {
        for (ClientStatus status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        return null;
    }
}
