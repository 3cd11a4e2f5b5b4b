package io.ringraft.net.netty.internal.client;

/** What a client request asks for; its code is the request's {@code op} byte. */
public enum ClientOp {
    /** The group's leader, membership and this replica's progress. */
    INFO(1),
    /** Opens a session (proposed on the leader). */
    REGISTER(2),
    /** A session command (proposed on the leader); {@code tell} asks for an answer on acceptance. */
    COMMAND(3),
    /** Closes a session. */
    UNREGISTER(4),
    /** A read at a consistency level, served by the replica that receives it. */
    QUERY(5),
    /** A messaging delivery entry for the group's leader to append as it is (no session). */
    DELIVER(6),
    /** Opens a keyed subscription to the group's committed log, served by the receiving replica. */
    SUBSCRIBE(7),
    /** Grants a subscription more batches (no answer). */
    CREDIT(8),
    /** Ends a subscription (no answer). */
    UNSUBSCRIBE(9);

    final int code;

    ClientOp(int code) {
        this.code = code;
    }

    static ClientOp of(int code) {
        for (ClientOp op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
