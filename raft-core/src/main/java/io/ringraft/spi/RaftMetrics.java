package io.ringraft.spi;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftStatus;
import java.util.function.Supplier;

/**
 * Raw measurements of one node, reported as they happen by the node's own task threads, for a metrics
 * library to turn into timers, histograms and counters (the module {@code raft-metrics-micrometer} does
 * it for Micrometer). Set it with {@code RaftNode.builder().metrics(...)}; the default is {@link #NONE},
 * which costs nothing: the node then does not even read its clock for these measurements.
 *
 * <p><b>Who calls it, on which thread.</b> Every method says which task calls it. The core, log writer,
 * applier and snapshot task each call their own methods from one thread at a time (but not the same
 * thread as each other); the replicators call {@link #messagesSent} concurrently, one thread per peer;
 * {@link #proposalRejected} runs on the proposer's thread as well as the core's. An implementation must
 * therefore be thread-safe across methods, and must return quickly and never block: it runs inside the
 * node's duty cycles, and a slow listener slows commits down. Every argument is a primitive or an enum
 * constant, so a call allocates nothing; an implementation should not allocate either on the
 * per-batch methods. Do not throw: an exception propagates into the calling task, which stops the
 * node (fail-stop) as one from the state machine would, or to the proposer's call.
 *
 * <p><b>Samples are per batch.</b> The node works in batches (group commit), and so does this interface:
 * a latency is reported once per batch with the number of entries it covered, never once per entry.
 *
 * <p><b>Polled values.</b> Role, term, leader, every progress pointer, ring and queue fill and, on the
 * leader, each follower's match index and lag are in {@link RaftStatus}: {@link #bind} hands over a
 * supplier of it to poll (each call builds a new status: poll at scrape time, not per event).
 *
 * <p>Lifecycle: one instance serves one node. {@link #bind} comes first (when the node starts), then the
 * events, then {@link #close} once when the node closes. The metric names, units and threads are listed
 * in {@code docs/operations.md}, "Metrics".
 */
public interface RaftMetrics {

    /** Reports nothing; the default. The node skips the clock reads the measurements would need. */
    RaftMetrics NONE = new RaftMetrics() {
        @Override
        public String toString() {
            return "RaftMetrics.NONE";
        }
    };

    /** Why a proposal ({@code propose} or {@code tryPropose} on this node) was refused before entering the log. */
    enum Rejection {
        /** This node is not the leader (or is handing leadership over and its term ended). */
        NOT_LEADER,
        /** The bounded proposal queue stayed full ({@code proposalQueueBytes}, {@code proposalWaitMillis}). */
        QUEUE_FULL,
        /** The command is larger than {@code maxEntryBytes}. */
        TOO_LARGE,
        /** Too many {@code propose} futures await their results ({@code maxPendingFutures}). */
        TOO_MANY_PENDING,
        /** The node is stopped (closed, or fail-stopped). */
        STOPPED
    }

    /** Why a leader stopped leading, as far as the node can tell. */
    enum StepDown {
        /** It saw a higher term: another node started an election (a partition healed, a timeout elsewhere). */
        HIGHER_TERM,
        /** It handed leadership over ({@code transferLeadership}) and the target took it. */
        TRANSFER,
        /** Check-quorum: it heard from no quorum of voters for an election timeout. */
        LOST_QUORUM,
        /** A committed membership change left it out of the voters. */
        REMOVED
    }

    /**
     * The node is starting: called once, on the thread that calls {@code RaftNode.start()}, before any
     * other method. A binder registers its meters here (tagged with the group and node ids) and keeps
     * {@code status} to poll gauges from.
     *
     * @param groupId the node's Raft group
     * @param nodeId  the node's id
     * @param config  the node's configuration (for the capacities its fill levels relate to)
     * @param status  builds the node's current status; any thread, allocates one {@link RaftStatus} per call
     */
    default void bind(long groupId, long nodeId, RaftConfig config, Supplier<RaftStatus> status) {
    }

    /**
     * A member to replicate to appeared (the initial voters right after {@link #bind}, later ones when a
     * configuration naming them reaches this node's log): per-peer meters go here. Called on the core
     * thread (or the starting thread), at most {@code maxMembers} times per node; may register meters but
     * must not block.
     *
     * @param peerId the other member's node id
     */
    default void peerAdded(long peerId) {
    }

    /**
     * The node closed: its tasks have stopped and no other method is called afterwards. Called once on
     * the thread that closes the node; a binder removes its meters here.
     */
    default void close() {
    }

    // ---------------------------------------------------------------- core thread

    /**
     * Core thread, on the leader: a batch of proposals made on this node committed (durable on a quorum).
     *
     * @param latencyNanos from the core placing the batch in the ring (after it waited in the proposal
     *                     queue) to the commit index covering its last entry
     * @param proposals    the number of proposals in the batch
     */
    default void proposalsCommitted(long latencyNanos, int proposals) {
    }

    /**
     * A proposal made on this node was refused before it entered the log. Called on the proposer's thread
     * ({@link Rejection#QUEUE_FULL}, {@link Rejection#TOO_LARGE}, {@link Rejection#TOO_MANY_PENDING},
     * {@link Rejection#STOPPED}) or on the core thread ({@link Rejection#NOT_LEADER}); proposals refused
     * before the node started are not reported (they come before {@link #bind}).
     *
     * @param reason why
     */
    default void proposalRejected(Rejection reason) {
    }

    /**
     * Core thread: this node became leader.
     *
     * @param term the term it leads
     */
    default void becameLeader(long term) {
    }

    /**
     * Core thread: this node stopped leading (also logged once at INFO with the term and reason).
     *
     * @param term   the term it led
     * @param reason why, as far as the node can tell
     */
    default void steppedDown(long term, StepDown reason) {
    }

    /**
     * Core thread: messages the core took from its inbound queue in one duty cycle (every Raft message
     * type, from every peer). Messages the queue refused are counted in {@link RaftStatus#droppedInbound()}.
     *
     * @param count messages, at least 1
     */
    default void messagesReceived(int count) {
    }

    // ---------------------------------------------------------------- replicator threads

    /**
     * A replicator thread (one per peer; several call concurrently): messages to {@code peerId} that it
     * handed to the transport in one duty cycle. Messages the core could not queue for the replicator are
     * counted in {@link RaftStatus#droppedOutbound()}.
     *
     * @param peerId  the receiver
     * @param sent    messages the transport took
     * @param refused messages the transport refused (not connected, connection full, entries no longer in
     *                the ring or storage): Raft resends what matters
     */
    default void messagesSent(long peerId, int sent, int refused) {
    }

    // ---------------------------------------------------------------- log writer thread

    /**
     * Log writer thread: storage made a batch durable ({@link LogStorage#flush()}), which covers everything
     * written since the previous flush (group commit).
     *
     * @param flushNanos how long {@code flush()} took (the fsync)
     * @param entries    the entries appended since the previous flush (0 for a flush of a vote or a purge only)
     */
    default void logFlushed(long flushNanos, int entries) {
    }

    // ---------------------------------------------------------------- applier thread

    /**
     * Applier thread: the state machine applied a batch of committed entries.
     *
     * @param applyNanos for a {@link StateMachine}, the time in {@code apply} for the batch; for a
     *                   {@link StreamingStateMachine}, from handing the batch over to the state machine
     *                   reporting all of it applied
     * @param entries    entries in the batch (a leader's no-op and configuration entries included)
     */
    default void entriesApplied(long applyNanos, int entries) {
    }

    /**
     * Applier thread, on a follower: a snapshot from the leader is installed (received, committed to the
     * snapshot store and, if it is ahead of the state machine, restored).
     *
     * @param nanos from its first chunk to the end of the restore
     * @param bytes the snapshot's size
     */
    default void snapshotInstalled(long nanos, long bytes) {
    }

    // ---------------------------------------------------------------- snapshot thread

    /**
     * Snapshot thread: a snapshot of the local state machine is durable in the snapshot store.
     *
     * @param nanos the time to write and commit it (the applier captured the state before; it goes on
     *              applying meanwhile)
     * @param bytes the snapshot's size
     */
    default void snapshotTaken(long nanos, long bytes) {
    }
}
