package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.Role;

/**
 * The core's side of {@code RaftNode.forward}: on a follower, sends the commands queued in
 * {@link Forwards} to the leader while the outbox to it has room, and expires those that waited too
 * long; on the leader, appends a follower's forwarded command to the ring (with the same room rules as
 * local proposals, dropping duplicates within the term via {@link ForwardedRequests}) and answers where.
 * See docs/architecture.md, "Forwarded proposals". Core thread only.
 */
final class CoreForwarding {

    private final CoreTask core;
    private final NodeContext ctx;
    private final EntryRing ring;
    private final ForwardedRequests forwardedRequests;

    CoreForwarding(CoreTask core, NodeContext ctx) {
        this.core = core;
        this.ctx = ctx;
        this.ring = ctx.ring;
        this.forwardedRequests = new ForwardedRequests(ctx.config.maxMembers() + 1);
    }

    /** Outbox slots forwarded commands and their answers leave free for Raft's own messages. */
    static final int FORWARD_RESERVE = 8;

    /** Whether the outbox to {@code peer} can take a message and still keep {@code reserve} slots free. */
    boolean outboxHasRoom(long peer, int reserve) {
        int slot = ctx.slotFor(peer);
        if (slot < 0) {
            return false;
        }
        var outbox = ctx.outboxes[slot];
        return outbox.size() + reserve < outbox.capacity();
    }

    /** How long a forward waits for the leader's answer: two election timeouts. */
    private long answerWaitNanos() {
        return 2L * ctx.config.electionTimeoutMillis() * 1_000_000L;
    }

    /** How long an appended forward waits to be applied here: ten election timeouts. */
    long applyWaitNanos() {
        return 10L * ctx.config.electionTimeoutMillis() * 1_000_000L;
    }

    /** Sends this node's forwarded commands to the leader; expires those that waited too long. */
    int pollForwards() {
        int work = 0;
        Forwards.Forward forward;
        while (work < ctx.config.batchEntries() && ctx.forwards.hasSubmitted()) {
            long leader = core.engine().leaderId();
            if (leader != 0 && core.engine().role() != Role.LEADER && !outboxHasRoom(leader, FORWARD_RESERVE)) {
                break; // the outbox to the leader is busy: the forwards wait (bounded) for room
            }
            forward = ctx.forwards.pollSubmitted();
            work++;
            if (core.engine().role() == Role.LEADER || leader == 0) {
                // Certainly not taken effect: propose here (leader) or retry once a leader is known.
                forward.future.completeExceptionally(new NotLeaderException(ctx.selfId, leader));
                continue;
            }
            core.send(new io.ringraft.message.ForwardProposal(ctx.selfId, leader, core.engine().term(), forward.requestId,
                    forward.command));
            ctx.forwards.sent(forward, ctx.nanoClock.getAsLong() + answerWaitNanos());
        }
        if (ctx.forwards.waiting()) {
            ctx.forwards.expire(ctx.nanoClock.getAsLong());
        }
        return work;
    }

    /** A follower's forwarded command: append it if this node leads and has room, and say where. */
    void onForwardProposal(io.ringraft.message.ForwardProposal forward) {
        io.ringraft.message.ForwardProposalResult.Outcome outcome;
        LogId entry = LogId.ZERO;
        byte[] command = forward.command();
        long next = core.engine().lastLogId().index() + 1;
        long reclaim = core.reclaimable();
        if (forward.term() < core.engine().term() || forwardedRequests.seen(core.engine().term(), forward.from(), forward.requestId())) {
            // A duplicate of one appended already, or a late request of an older term this node may have
            // appended then: no answer (saying "not appended" could be false; the sender's wait expires).
            return;
        }
        if (core.engine().role() != Role.LEADER || core.engine().transferringTo() != 0 || forward.term() != core.engine().term()) {
            outcome = io.ringraft.message.ForwardProposalResult.Outcome.NOT_LEADER;
        } else if (command.length > ctx.config.maxEntryBytes()) {
            outcome = io.ringraft.message.ForwardProposalResult.Outcome.TOO_LARGE;
        } else if (!ring.makeRoom(next + 2, 0, reclaim) || !ring.makeRoom(next, command.length + CoreTask.CONFIG_ROOM, reclaim)) {
            outcome = io.ringraft.message.ForwardProposalResult.Outcome.BUSY;
        } else {
            if (!forwardedRequests.firstTime(core.engine().term(), forward.from(), forward.requestId())) {
                outcome = io.ringraft.message.ForwardProposalResult.Outcome.BUSY; // too many senders
            } else {
                outcome = io.ringraft.message.ForwardProposalResult.Outcome.APPENDED;
                entry = new LogId(core.engine().term(), next);
            }
        }
        if (outcome == io.ringraft.message.ForwardProposalResult.Outcome.APPENDED) {
            ring.write(next, core.engine().term(), EntryKind.COMMAND, ProposalOutcomes.NONE, 0,
                    new org.agrona.concurrent.UnsafeBuffer(command), 0, command.length);
        }
        // The answer leaves before the entry's AppendEntries: the follower knows the index before it applies it.
        core.send(new io.ringraft.message.ForwardProposalResult(ctx.selfId, forward.from(), core.engine().term(),
                forward.requestId(), outcome, entry, core.engine().leaderId()));
        if (outcome == io.ringraft.message.ForwardProposalResult.Outcome.APPENDED && core.engine().propose(1) != next) {
            throw new IllegalStateException("engine placed a forwarded command elsewhere than ring index " + next);
        }
    }
}
