package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.runtime.requests.ForwardedRequests;
import io.ringraft.internal.runtime.requests.Forwards;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.ForwardProposalResult.Outcome;
import java.util.function.LongSupplier;

/**
 * The core's side of {@code RaftNode.forward}: on a follower, sends the commands queued in
 * {@link Forwards} to the leader while the outbox to it has room, and expires those that waited too
 * long; on the leader, appends a follower's forwarded command to the ring (with the same room rules as
 * local proposals, dropping duplicates within the term via {@link ForwardedRequests}) and answers where.
 * See docs/architecture.md, "Forwarded proposals". Core thread only.
 */
final class CoreForwarding {

    private final CoreTask core;
    private final long selfId;
    private final RaftConfig config;
    private final LongSupplier nanoClock;
    private final Peers peers;
    private final Forwards forwards;
    private final ForwardedRequests forwardedRequests;

    CoreForwarding(CoreTask core, long selfId, RaftConfig config, LongSupplier nanoClock, Peers peers,
                   Forwards forwards) {
        this.core = core;
        this.selfId = selfId;
        this.config = config;
        this.nanoClock = nanoClock;
        this.peers = peers;
        this.forwards = forwards;
        this.forwardedRequests = new ForwardedRequests(config.maxMembers() + 1, core.engine().term());
    }

    /** Outbox slots forwarded commands and their answers leave free for Raft's own messages. */
    static final int FORWARD_RESERVE = 8;

    /** Whether the outbox to {@code peer} can take a message and still keep {@code reserve} slots free. */
    boolean outboxHasRoom(long peer, int reserve) {
        int slot = peers.slotFor(peer);
        if (slot < 0) {
            return false;
        }
        var outbox = peers.outbox(slot);
        return outbox.size() + reserve < outbox.capacity();
    }

    /**
     * Whether a forward from {@code peer} must wait in the inbound queue: its answer has no room in the
     * outbox now. A sender this node has no outbox for cannot be answered at all: not blocked (it is
     * taken and dropped, so it cannot hold up the messages behind it).
     */
    boolean answerBlocked(long peer) {
        return peers.slotFor(peer) >= 0 && !outboxHasRoom(peer, FORWARD_RESERVE);
    }

    /**
     * The budget a forward sent now carries: what is left until its deadline, less a margin for the
     * answer's way back (half of what is left, at most one election timeout); at most 0 if too late.
     */
    long sendBudgetNanos(long deadlineNanos, long nowNanos) {
        long left = deadlineNanos - nowNanos;
        long margin = Math.min(left / 2, config.electionTimeoutMillis() * 1_000_000L);
        return left - margin;
    }

    /** How long an appended forward waits to be applied here: ten election timeouts. */
    long applyWaitNanos() {
        return 10L * config.electionTimeoutMillis() * 1_000_000L;
    }

    /**
     * Sends this node's forwarded commands to the leader; fails those still queued at their deadline
     * (never sent: definite) and expires those sent that waited too long for an answer (uncertain).
     */
    int pollForwards() {
        RaftEngine engine = core.engine();
        int work = 0;
        Forwards.Forward forward;
        long now = waiting() ? nanoClock.getAsLong() : 0;
        while (work < config.batchEntries() && forwards.hasSubmitted()) {
            long leader = engine.leaderId();
            if (leader != 0 && engine.role() != Role.LEADER && !outboxHasRoom(leader, FORWARD_RESERVE)) {
                // the outbox to the leader is busy: the forwards wait (bounded) for room, until their deadline
                work += forwards.expireQueued(now);
                break;
            }
            forward = forwards.pollSubmitted();
            work++;
            if (engine.role() == Role.LEADER || leader == 0) {
                // Certainly not taken effect: propose here (leader) or retry once a leader is known.
                forward.future.completeExceptionally(new NotLeaderException(selfId, leader));
                continue;
            }
            long budget = sendBudgetNanos(forward.deadlineNanos(), now);
            if (budget <= 0) {
                Forwards.notSent(forward);
                continue;
            }
            forwards.sent(forward); // before its sender can report it undelivered
            core.send(new ForwardProposal(selfId, leader, engine.term(), forward.requestId,
                    forward.command, budget, 0));
        }
        work += forwards.failUndelivered();
        if (forwards.waiting()) {
            forwards.expire(now);
        }
        return work;
    }

    /** {@return whether forwards wait to be sent or for their answers (their deadlines need the clock)} */
    boolean waiting() {
        return forwards.hasSubmitted() || forwards.waiting();
    }

    /**
     * A follower's forwarded command: append it if this node leads, has room and its budget has not run
     * out, and say where; otherwise say why not, definitely. Silent only when an answer could be false.
     */
    void onForwardProposal(ForwardProposal forward) {
        if (peers.slotFor(forward.from()) < 0) {
            return; // not a peer this node can answer (removed, or unknown): its sender's wait expires
        }
        RaftEngine engine = core.engine();
        Outcome outcome;
        LogId entry = LogId.ZERO;
        byte[] command = forward.command();
        long next = engine.nextProposalIndex();
        long reclaim = core.reclaimable();
        if (forward.term() < engine.term()
                ? forwardedRequests.mayHaveAppended(forward.term(), forward.from(), forward.requestId())
                : forwardedRequests.seen(engine.term(), forward.from(), forward.requestId())) {
            // A duplicate of one appended already, or a late request of an older term this node may have
            // appended then: no answer (saying "not appended" could be false; the sender's wait expires).
            return;
        }
        if (next < 0 || forward.term() != engine.term()) {
            outcome = Outcome.NOT_LEADER; // leadership moved before it was appended (or never was here)
        } else if (forward.expired(nanoClock.getAsLong())) {
            outcome = Outcome.EXPIRED; // the sender stopped waiting: do not append what nobody awaits
        } else if (command.length > config.maxEntryBytes()) {
            outcome = Outcome.TOO_LARGE;
        } else if (!forwardedRequests.canRecord(engine.term(), forward.from())) {
            outcome = Outcome.BUSY; // too many senders
        } else if (!core.placeCommand(next, engine.term(), ProposalOutcomes.NONE, 0, command, 0,
                command.length, reclaim)) {
            outcome = Outcome.BUSY; // no ring room now
        } else {
            forwardedRequests.firstTime(engine.term(), forward.from(), forward.requestId());
            outcome = Outcome.APPENDED;
            entry = new LogId(engine.term(), next);
        }
        // The answer leaves before the entry's AppendEntries: the follower knows the index before it applies it.
        core.send(new ForwardProposalResult(selfId, forward.from(), engine.term(),
                forward.requestId(), outcome, entry, engine.leaderId()));
        if (outcome == Outcome.APPENDED) {
            engine.propose(1); // at the index the engine named: the command is there
            core.runEffects();
        }
    }
}
