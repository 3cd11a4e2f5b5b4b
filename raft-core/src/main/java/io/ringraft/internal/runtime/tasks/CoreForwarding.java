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
        this.forwardedRequests = new ForwardedRequests(config.maxMembers() + 1);
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

    /** How long a forward waits for the leader's answer: two election timeouts. */
    private long answerWaitNanos() {
        return 2L * config.electionTimeoutMillis() * 1_000_000L;
    }

    /** How long an appended forward waits to be applied here: ten election timeouts. */
    long applyWaitNanos() {
        return 10L * config.electionTimeoutMillis() * 1_000_000L;
    }

    /** Sends this node's forwarded commands to the leader; expires those that waited too long. */
    int pollForwards() {
        RaftEngine engine = core.engine();
        int work = 0;
        Forwards.Forward forward;
        while (work < config.batchEntries() && forwards.hasSubmitted()) {
            long leader = engine.leaderId();
            if (leader != 0 && engine.role() != Role.LEADER && !outboxHasRoom(leader, FORWARD_RESERVE)) {
                break; // the outbox to the leader is busy: the forwards wait (bounded) for room
            }
            forward = forwards.pollSubmitted();
            work++;
            if (engine.role() == Role.LEADER || leader == 0) {
                // Certainly not taken effect: propose here (leader) or retry once a leader is known.
                forward.future.completeExceptionally(new NotLeaderException(selfId, leader));
                continue;
            }
            core.send(new ForwardProposal(selfId, leader, engine.term(), forward.requestId,
                    forward.command));
            forwards.sent(forward, nanoClock.getAsLong() + answerWaitNanos());
        }
        if (forwards.waiting()) {
            forwards.expire(nanoClock.getAsLong());
        }
        return work;
    }

    /** {@return whether forwards wait to be sent or for their answers (their deadlines need the clock)} */
    boolean waiting() {
        return forwards.hasSubmitted() || forwards.waiting();
    }

    /** A follower's forwarded command: append it if this node leads and has room, and say where. */
    void onForwardProposal(ForwardProposal forward) {
        RaftEngine engine = core.engine();
        Outcome outcome;
        LogId entry = LogId.ZERO;
        byte[] command = forward.command();
        long next = engine.nextProposalIndex();
        long reclaim = core.reclaimable();
        if (forward.term() < engine.term() || forwardedRequests.seen(engine.term(), forward.from(), forward.requestId())) {
            // A duplicate of one appended already, or a late request of an older term this node may have
            // appended then: no answer (saying "not appended" could be false; the sender's wait expires).
            return;
        }
        if (next < 0 || forward.term() != engine.term()) {
            outcome = Outcome.NOT_LEADER;
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
