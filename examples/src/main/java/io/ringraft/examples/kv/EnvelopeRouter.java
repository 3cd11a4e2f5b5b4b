package io.ringraft.examples.kv;

import io.ringraft.api.Membership;
import io.ringraft.api.RejectedException;
import io.ringraft.messaging.MessagingGroup;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The {@link WriteRouter} of a messaging group ({@code --groups} above 1): frames each command in the
 * envelopes the group's state machine expects ({@link #frame}: a plain session envelope inside the
 * messaging one), and refuses it with {@link RejectedException}
 * ({@code -TRYAGAIN}) while the group's outbox here is at or above its high-water mark. Everything else
 * goes to the router it wraps. Thread-safe.
 */
final class EnvelopeRouter implements WriteRouter {

    private final WriteRouter inner;
    private final MessagingGroup group;

    EnvelopeRouter(WriteRouter inner, MessagingGroup group) {
        this.inner = inner;
        this.group = group;
    }

    @Override
    public byte[] frame(byte[] command) {
        return MessagingGroup.envelope(io.ringraft.api.client.SessionCommands.plain(command)); // outside any session
    }

    @Override
    public CompletableFuture<Object> propose(byte[] framed) {
        return refusal() != null ? refusal() : inner.propose(framed);
    }

    @Override
    public CompletableFuture<Object> propose(byte[] framed, java.time.Duration answerWait) {
        return refusal() != null ? refusal() : inner.propose(framed, answerWait);
    }

    private CompletableFuture<Object> refusal() {
        if (!group.refusing()) {
            return null;
        }
        return CompletableFuture.failedFuture(new RejectedException("the outbox of group "
                + group.node().groupId() + " is at its high-water mark (" + group.status().depth()
                + " undelivered messages); retry once delivery catches up"));
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long targetNodeId) {
        return inner.transferLeadership(targetNodeId);
    }

    @Override
    public CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change) {
        return inner.changeMembership(change);
    }
}
