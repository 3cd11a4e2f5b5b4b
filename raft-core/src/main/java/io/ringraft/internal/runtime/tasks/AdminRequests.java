package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.runtime.requests.MembershipRequest;
import io.ringraft.internal.runtime.requests.TransferRequest;
import io.ringraft.internal.runtime.ring.EntryRing;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The application's requests the core carries out over several duty cycles: a leadership transfer
 * ({@link TransferRequest}) and a membership change ({@link MembershipRequest}), one of each at a time,
 * each in its slot ({@code transfer}, {@code membershipChange}) that the application fills. Starts them on the engine, watches for their end (done, refused, timed out, leadership
 * lost) and completes their futures. Core thread only.
 */
final class AdminRequests {

    private final CoreTask core;
    private final long selfId;
    private final RaftConfig config;
    private final LongSupplier nanoClock;
    private final EntryRing ring;
    private final AtomicReference<TransferRequest> transfer;
    private final AtomicReference<MembershipRequest> membershipChange;

    AdminRequests(CoreTask core, long selfId, RaftConfig config, LongSupplier nanoClock, EntryRing ring,
                  AtomicReference<TransferRequest> transfer, AtomicReference<MembershipRequest> membershipChange) {
        this.core = core;
        this.selfId = selfId;
        this.config = config;
        this.nanoClock = nanoClock;
        this.ring = ring;
        this.transfer = transfer;
        this.membershipChange = membershipChange;
    }

    /** {@return whether a transfer or membership change is asked for or running (its time limit needs the clock)} */
    boolean busy() {
        return transfer.get() != null || membershipChange.get() != null;
    }

    int pollTransfer() {
        TransferRequest transfer = this.transfer.get();
        if (transfer == null) {
            return 0;
        }
        long leader = core.engine().leaderId();
        if (!transfer.started) {
            if (core.engine().role() != Role.LEADER) {
                finishTransfer(transfer, new NotLeaderException(selfId, leader));
            } else if (!transferStarted(transfer.target)) {
                finishTransfer(transfer, new RejectedException("cannot hand leadership to node "
                        + transfer.target + ": it is not another voter, or a transfer is already running"));
            } else {
                transfer.started = true;
                transfer.startedAtNanos = nanoClock.getAsLong();
            }
            return 1;
        }
        long limitNanos = 3L * config.electionTimeoutMillis() * 1_000_000L;
        if (leader == transfer.target) {
            finishTransfer(transfer, null);
        } else if (core.engine().role() == Role.LEADER && core.engine().transferringTo() == 0) {
            finishTransfer(transfer, new RejectedException("node " + transfer.target
                    + " did not take over within the election timeout; node " + selfId + " still leads"));
        } else if (core.engine().role() != Role.LEADER && leader != 0) {
            finishTransfer(transfer, new RejectedException("node " + leader
                    + " became leader instead of node " + transfer.target));
        } else if (nanoClock.getAsLong() - transfer.startedAtNanos > limitNanos) {
            finishTransfer(transfer, new RejectedException("no leader emerged after handing "
                    + "leadership to node " + transfer.target));
        } else {
            return 0;
        }
        return 1;
    }

    void finishTransfer(TransferRequest transfer, RaftException failure) {
        this.transfer.compareAndSet(transfer, null);
        if (failure == null) {
            transfer.future.complete(null);
        } else {
            transfer.future.completeExceptionally(failure);
        }
    }

    int pollMembership() {
        MembershipRequest change = membershipChange.get();
        if (change == null) {
            return 0;
        }
        if (!change.started) {
            if (core.engine().role() != Role.LEADER) {
                finishMembership(change, new NotLeaderException(selfId, core.engine().leaderId()));
                return 1;
            }
            int others = othersIn(change.voters, change.learners);
            if (others > config.maxMembers()) {
                finishMembership(change, new RejectedException("membership change refused: "
                        + others + " other members exceed maxMembers (" + config.maxMembers() + ")"));
                return 1;
            }
            long next = core.engine().lastLogId().index() + 1;
            if (!ring.makeRoom(next, CoreTask.CONFIG_ROOM, core.reclaimable())) {
                return 0; // wait for room (proposals keep it free; applying frees more)
            }
            boolean changing = core.engine().changeMembership(change.voters, change.learners);
            core.runEffects();
            if (!changing) {
                finishMembership(change, new RejectedException("membership change refused: "
                        + "another change or a leadership transfer is in progress, the leader has not yet "
                        + "committed an entry of its term, or the configuration is invalid or unchanged"));
                return 1;
            }
            change.started = true;
            change.startedAtNanos = nanoClock.getAsLong();
            return 1;
        }
        ClusterConfig config = core.engine().clusterConfig();
        boolean done = !core.engine().membershipChangePending() && !config.isJoint() && config.sameVotersAndLearners(
                change.voters, change.learners);
        if (done) {
            finishMembership(change, null);
        } else if (core.engine().role() != Role.LEADER) {
            finishMembership(change, new IndeterminateException("node " + selfId
                    + " lost leadership during the membership change; it may still complete"));
        } else if (nanoClock.getAsLong() - change.startedAtNanos
                > 10L * this.config.electionTimeoutMillis() * 1_000_000L) {
            finishMembership(change, new IndeterminateException("the membership change did not commit within "
                    + "ten election timeouts (is a quorum of the new configuration reachable?); it may still complete"));
        } else {
            return 0;
        }
        return 1;
    }

    /** Distinct members other than this node among {@code voters} and {@code learners}. */
    private int othersIn(long[] voters, long[] learners) {
        java.util.Set<Long> others = new java.util.HashSet<>();
        for (long id : voters) {
            others.add(id);
        }
        for (long id : learners) {
            others.add(id);
        }
        others.remove(selfId);
        return others.size();
    }

    void finishMembership(MembershipRequest change, RaftException failure) {
        membershipChange.compareAndSet(change, null);
        if (failure == null) {
            core.publishMembership(); // so that status() agrees once the future completes
            change.future.complete(null);
        } else {
            change.future.completeExceptionally(failure);
        }
    }

    /** Asks the engine to hand leadership to {@code target} and carries out what that produced. */
    private boolean transferStarted(long target) {
        boolean started = core.engine().transferLeadership(target);
        core.runEffects();
        return started;
    }
}
