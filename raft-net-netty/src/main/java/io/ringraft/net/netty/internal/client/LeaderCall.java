package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.ClientException;
import java.util.concurrent.CompletableFuture;

/**
 * One call that must reach the leader (open a session, a session command, a tell), across its attempts:
 * which node to try next, whether an attempt may have reached a leader, and the last problem seen.
 * Touched by one attempt at a time (attempts run one after another).
 */
final class LeaderCall {

    final ClientOp op;
    final byte[] payload;
    final boolean tell;
    final long deadlineNanos;
    final CompletableFuture<ClientResponse> result = new CompletableFuture<>();
    ClientSession session;
    /** Set under the session's lock, read by the attempts and the completion. */
    volatile long seq;
    int attempts;
    int rotate;
    boolean possiblyDelivered;
    String lastProblem = "no node answered";
    ClientException.Reason lastReason = ClientException.Reason.UNAVAILABLE;

    LeaderCall(ClientOp op, byte[] payload, boolean tell, long deadlineNanos) {
        this.op = op;
        this.payload = payload;
        this.tell = tell;
        this.deadlineNanos = deadlineNanos;
    }

    ClientRequest request(long groupId, long requestId) {
        return switch (op) {
            case REGISTER -> new ClientRequest(groupId, requestId, op, 0, 0, 0, false, 0, 0, null);
            case COMMAND -> new ClientRequest(groupId, requestId, op, session.clientId, seq, session.ackedBelow(), tell,
                    0, 0, payload);
            case UNREGISTER -> new ClientRequest(groupId, requestId, op, session.clientId, 0, 0, false, 0, 0, null);
            case DELIVER -> new ClientRequest(groupId, requestId, op, 0, 0, 0, false, 0, 0, payload);
            default -> throw new IllegalStateException("not a leader call: " + op);
        };
    }

    /** The failure when the deadline passed. */
    ClientException timedOut() {
        if (possiblyDelivered && op == ClientOp.COMMAND) {
            return Calls.failure(ClientException.Reason.TIMEOUT, true, "no answer before the deadline; an attempt may "
                    + "have reached the leader (last: " + lastProblem + ")");
        }
        ClientException.Reason reason = lastReason == ClientException.Reason.UNAVAILABLE
                ? ClientException.Reason.TIMEOUT : lastReason;
        return Calls.failure(reason, false, "no leader took the call before the deadline (last: " + lastProblem + ")");
    }
}
