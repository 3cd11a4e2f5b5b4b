package io.ringraft.net.netty.internal.client;

/**
 * A decoded client request. {@code payload} is the command or query (null for other ops).
 *
 * @param groupId     the group it is for
 * @param requestId   the client's id for matching the response
 * @param op          what it asks
 * @param clientId    the session (COMMAND, UNREGISTER)
 * @param seq         the command's sequence (COMMAND)
 * @param ackedBelow  sequences below it are answered at the client (COMMAND)
 * @param tell        answer on acceptance (COMMAND)
 * @param consistency the read's level code (QUERY): 1 linearizable, 2 bounded staleness, 3 any, 4 bounded by time
 * @param maxLag      most entries the replica's applied index may lag its commit index (QUERY, bounded), or
 *                    most milliseconds its applied state may be old (QUERY, bounded by time)
 * @param payload     the command or query bytes
 */
public record ClientRequest(long groupId, long requestId, ClientOp op, long clientId, long seq, long ackedBelow,
                            boolean tell, int consistency, long maxLag, byte[] payload) {

    /** Consistency code: ReadIndex through the leader, served by the receiving replica. */
    public static final int LINEARIZABLE = 1;
    /** Consistency code: the replica's applied index within {@code maxLag} entries of its commit index. */
    public static final int BOUNDED = 2;
    /** Consistency code: whatever the replica applied. */
    public static final int ANY = 3;
    /** Consistency code: the replica's applied state at most {@code maxLag} ms old (RaftNode.appliedStalenessNanos). */
    public static final int BOUNDED_TIME = 4;

    /** {@return an INFO request} @param groupId group @param requestId id */
    public static ClientRequest info(long groupId, long requestId) {
        return new ClientRequest(groupId, requestId, ClientOp.INFO, 0, 0, 0, false, 0, 0, null);
    }
}
