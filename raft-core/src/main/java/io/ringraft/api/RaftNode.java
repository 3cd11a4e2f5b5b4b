package io.ringraft.api;

import io.ringraft.internal.runtime.NodeHandle;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftMetrics;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One member of one Raft group: the application's handle to a replicated state machine.
 *
 * <p>Build with {@link #builder()}, then {@link #start()}. Proposals go to the leader:
 * {@link #propose(byte[])} returns a future completed with the state machine's result once the
 * command is committed (durable on a quorum) <em>and</em> applied on this node;
 * {@link #tryPropose(byte[], int, int, long)} is the allocation-free form whose outcome goes to
 * the {@link ProposalListener} given to the builder. Commands and queries are plain {@code byte[]}s or
 * {@link ByteBuffer}s (heap or direct); the state machine reads them back as {@link Bytes} views.
 *
 * <p><b>Threads.</b> All methods are thread-safe. The node runs its own tasks (core, log writer,
 * applier, one replicator per peer) on threads it starts, unless told otherwise; futures and
 * listener calls complete on those threads, so do not block in their callbacks.
 *
 * <p><b>Bounded.</b> Every queue and buffer is bounded by {@link RaftConfig}; when one is full, a
 * proposal fails fast with {@link RejectedException} (or waits up to
 * {@link RaftConfig#proposalWaitMillis()}), and nothing grows. Errors say whether the command may
 * have taken effect: see {@link RaftException}.
 *
 * <p>Many nodes of many groups can live in one JVM: a node has no static state.
 */
public final class RaftNode implements AutoCloseable {

    private final NodeHandle handle;
    private final NodeRuntime runtime;
    private final boolean hasListener;

    private RaftNode(NodeHandle handle, boolean hasListener) {
        this.handle = handle;
        this.runtime = handle.runtime();
        this.hasListener = hasListener;
    }

    /** {@return a new builder for a node} */
    public static Builder builder() {
        return new Builder();
    }

    /** The host learnt that peer process {@code nodeId} is lost ({@link RaftHost}): a quiet group wakes. */
    void peerUnreachable(long nodeId) {
        runtime.peerUnreachable(nodeId);
    }

    /**
     * Whether this node's group is quiesced: idle, with every member caught up, it neither ticks nor
     * heartbeats until a proposal, read or message wakes it ({@link RaftConfig#quiesceAfterMillis()}). Any
     * thread; one volatile read. Always false with quiescence off.
     *
     * @return true while the group sleeps
     */
    public boolean isQuiesced() {
        return runtime.quiesced();
    }

    /** Starts the node's tasks and connects it to the network. Call once. */
    public void start() {
        runtime.start();
    }

    /**
     * Proposes a command. The future completes with the state machine's result for it, or
     * exceptionally with a {@link RaftException} (never hangs: closing the node fails what is pending).
     *
     * @param command the command's bytes, at most {@link RaftConfig#maxEntryBytes()}; copied into the
     *                node's proposal queue before this returns, so the array may be reused at once
     * @return completes with the state machine's result once the command is committed and applied on
     *         this node, or exceptionally with a {@link RaftException} whose type says whether the
     *         command may have taken effect
     */
    public CompletableFuture<Object> propose(byte[] command) {
        Objects.requireNonNull(command, "command");
        return handle.propose(command);
    }

    /**
     * Proposes the bytes {@code command} has remaining (from its position to its limit), as
     * {@link #propose(byte[])} does. The bytes are copied into the node's proposal queue before this
     * returns, so the buffer may be reused at once; its position and limit do not move. Heap and
     * direct buffers alike.
     *
     * @param command the command's bytes, from the buffer's position to its limit
     * @return completes with the state machine's result, or exceptionally with a {@link RaftException}
     */
    public CompletableFuture<Object> propose(ByteBuffer command) {
        Objects.requireNonNull(command, "command");
        return handle.propose(command);
    }

    /**
     * Proposes a command from any node. On the leader this is {@link #propose}. On a follower the
     * command travels to the leader (over the transport, as a {@code ForwardProposal}), which appends
     * it and says where; the future completes with the state machine's result once this node has
     * applied that entry, so a read here afterwards sees the write.
     *
     * <p>Failures say whether the command may have taken effect: {@link NotLeaderException} (no leader
     * known, or it moved before appending it; retry) and {@link RejectedException} (refused: full, too
     * large, not sent or not taken by the leader within two election timeouts, or its entry was replaced
     * by a newer leader's) mean it certainly did not; {@link IndeterminateException} (sent, but the
     * leader's answer did not come within two election timeouts, or the entry was not applied here
     * within ten) means it may have. At most {@link RaftConfig#maxPendingFutures()} forwards wait at once.
     *
     * @param command the command's bytes, at most {@link RaftConfig#maxEntryBytes()}; copied before this
     *                returns, so the array may be reused at once
     * @return completes with the state machine's result once this node has applied the command's entry,
     *         or exceptionally with one of the {@link RaftException}s above
     */
    public CompletableFuture<Object> forward(byte[] command) {
        Objects.requireNonNull(command, "command");
        if (runtime.role() == Role.LEADER) {
            return propose(command);
        }
        return handle.forward(command, io.ringraft.internal.runtime.requests.Forwards.defaultWaitNanos(
                runtime.config()));
    }

    /**
     * {@link #forward(byte[])} for a caller that waits at most {@code timeout} for the leader's
     * answer. A command still queued on this node at that deadline is never sent and fails with
     * {@link RejectedException}; one sent carries what is left of the wait (less a margin for the
     * answer's way back), and a leader that takes it later refuses it instead of appending it, so
     * the answer is definite unless the network itself held it up. Only a command that may be in a
     * leader's log fails with {@link IndeterminateException}.
     *
     * @param command the command's bytes, at most {@link RaftConfig#maxEntryBytes()}; copied before this
     *                returns, so the array may be reused at once
     * @param timeout how long the caller waits for the leader's answer (positive)
     * @return as {@link #forward(byte[])}
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public CompletableFuture<Object> forward(byte[] command, java.time.Duration timeout) {
        Objects.requireNonNull(command, "command");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (runtime.role() == Role.LEADER) {
            return propose(command);
        }
        return handle.forward(command, timeout.toNanos());
    }

    /**
     * A linearizable read: {@code query} is answered by {@link StateMachine#query} on this node once
     * it has applied everything committed before the read began (ReadIndex: the leader confirms its
     * leadership with a quorum; a follower asks the leader). Nothing is written to the log. The
     * future fails with {@link NotLeaderException} if no leader could confirm the read (retry), or
     * {@link RejectedException} if too many reads are in flight ({@link RaftConfig#maxPendingReads()}).
     * The array is kept, not copied, until the read is served: do not change it meanwhile. The state
     * machine reads it as a {@link Bytes} view.
     *
     * @param query the query's bytes, handed to the state machine's {@code query}
     * @return completes with what the state machine's {@code query} answered, or exceptionally with a
     *         {@link RaftException} (see above; a query that threw fails the read with
     *         {@link StateMachineFailedException} carrying its exception)
     */
    public CompletableFuture<Object> read(byte[] query) {
        Objects.requireNonNull(query, "query");
        return handle.read(query);
    }

    /**
     * A linearizable read of the bytes {@code query} has remaining, as {@link #read(byte[])} does. The
     * bytes are copied before this returns (the read keeps them until it is served); the buffer's
     * position and limit do not move.
     *
     * @param query the query's bytes, from the buffer's position to its limit
     * @return completes with what {@link StateMachine#query} answered, or exceptionally as
     *         {@link #read(byte[])} does
     */
    public CompletableFuture<Object> read(ByteBuffer query) {
        Objects.requireNonNull(query, "query");
        byte[] copy = new byte[query.remaining()];
        query.get(query.position(), copy);
        return handle.read(copy);
    }

    /**
     * Hands leadership to voter {@code targetNodeId} (call it on the leader). The leader stops taking
     * new proposals (they wait in the proposal queue), brings the target's log up to date and tells
     * it to campaign at once. The future completes when this node sees the target lead; it fails with
     * {@link NotLeaderException} if this node is not the leader, or with {@link RejectedException} if
     * the target is not another voter, another transfer is running, the target did not take over
     * within an election timeout (this node then leads on and takes proposals again), or another
     * node won. Acknowledged writes are never lost either way.
     *
     * @param targetNodeId the id of the voter to hand leadership to
     * @return completes (with {@code null}) once this node sees {@code targetNodeId} lead, or
     *         exceptionally as described above
     */
    public CompletableFuture<Void> transferLeadership(long targetNodeId) {
        return handle.transferLeadership(targetNodeId);
    }

    /**
     * Changes the membership (call it on the leader) to exactly these voters and learners. Learners
     * receive the log but neither vote nor count toward a quorum; promote one by naming it a voter.
     * A change of voters goes through joint consensus (old and new voters must both agree until the
     * new configuration commits); one change at a time. A leader that is not among the new voters
     * steps down once the change commits. Add a new member's address to the transport first, and
     * start the new node (with any voter set that includes the current leader) so it can receive
     * the log.
     *
     * <p>The future completes when the new configuration is committed; it fails with
     * {@link NotLeaderException}, with {@link RejectedException} (another change or a transfer in
     * progress, the leader has not yet committed an entry of its term, an invalid or unchanged
     * configuration), or with {@link IndeterminateException} if leadership was lost or the change did
     * not commit within ten election timeouts (it may still complete).
     *
     * @param voters   the ids of the new configuration's voters: at least one, each positive
     * @param learners the ids of its learners (may be empty), none of them also a voter
     * @return completes (with {@code null}) once the new configuration is committed, or exceptionally as
     *         described above
     */
    public CompletableFuture<Void> changeMembership(java.util.Set<Long> voters, java.util.Set<Long> learners) {
        return handle.changeMembership(voters.stream().mapToLong(Long::longValue).toArray(),
                learners.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * Takes a snapshot of the state as applied now (in addition to the configured policy, see
     * {@link RaftConfig#snapshotIntervalEntries()}), then lets the log be purged below it less the
     * configured tail. Works on any node.
     *
     * @return completes with the snapshot's last entry once it is durable (at once if the newest
     *         snapshot already covers everything applied); fails with {@link RejectedException} if the
     *         node has no snapshot store, {@link NodeStoppedException} if it stopped, or with the
     *         state machine's {@link UnsupportedOperationException} if it takes no snapshots
     */
    public CompletableFuture<LogId> takeSnapshot() {
        return handle.takeSnapshot();
    }

    /**
     * Adds {@code nodeId} as a learner, keeping every current member (call it on the leader): a
     * {@link #changeMembership} to the membership {@link #status()} shows now, plus this learner.
     *
     * @param nodeId the new learner's id: positive, not yet a member
     * @return completes (with {@code null}) once the configuration naming the learner is committed, or
     *         exceptionally as {@link #changeMembership} says (a {@code nodeId} that is a member already
     *         makes it fail with {@link RejectedException})
     */
    public CompletableFuture<Void> addLearner(long nodeId) {
        Membership current = status().membership();
        java.util.Set<Long> learners = new java.util.TreeSet<>(current.learners());
        learners.add(nodeId);
        return changeMembership(current.voters(), learners);
    }

    /**
     * Proposes {@code length} bytes of {@code command} from {@code offset} without allocating. The
     * bytes are copied into the node's bounded proposal queue before this returns, so the array may
     * be reused at once. If accepted, the outcome goes to the builder's {@link ProposalListener} with
     * {@code correlationId}, exactly once. Any thread; may wait up to
     * {@link RaftConfig#proposalWaitMillis()} for room in the proposal queue, never longer.
     *
     * @param command       holds the command's bytes
     * @param offset        where the command starts in {@code command}
     * @param length        how many bytes the command has
     * @param correlationId handed back to the listener with the outcome
     * @return {@link Admission#ACCEPTED}, or why the proposal was refused: {@link Admission#TOO_LARGE},
     *         {@link Admission#STOPPED}, {@link Admission#NOT_LEADER} (this node does not lead now),
     *         {@link Admission#QUEUE_FULL}; a refused proposal never entered the log and the listener
     *         is not called for it
     * @throws IllegalStateException if the node was built without a listener
     * @throws IndexOutOfBoundsException if the range is outside {@code command}
     */
    public Admission tryPropose(byte[] command, int offset, int length, long correlationId) {
        Objects.requireNonNull(command, "command");
        checkListener();
        return handle.tryPropose(command, offset, length, correlationId);
    }

    /**
     * Proposes all of {@code command} without allocating, as {@link #tryPropose(byte[], int, int, long)}
     * does.
     *
     * @param command       the command's bytes
     * @param correlationId handed back to the listener with the outcome
     * @return {@link Admission#ACCEPTED}, or why the proposal was refused (the listener is then not called)
     * @throws IllegalStateException if the node was built without a listener
     */
    public Admission tryPropose(byte[] command, long correlationId) {
        Objects.requireNonNull(command, "command");
        checkListener();
        return handle.tryPropose(command, 0, command.length, correlationId);
    }

    /**
     * Proposes the bytes {@code command} has remaining without allocating, as
     * {@link #tryPropose(byte[], int, int, long)} does; the buffer's position and limit do not move.
     * Heap and direct buffers alike.
     *
     * @param command       the command's bytes, from the buffer's position to its limit
     * @param correlationId handed back to the listener with the outcome
     * @return {@link Admission#ACCEPTED}, or why the proposal was refused (the listener is then not called)
     * @throws IllegalStateException if the node was built without a listener
     */
    public Admission tryPropose(ByteBuffer command, long correlationId) {
        Objects.requireNonNull(command, "command");
        checkListener();
        return handle.tryPropose(command, correlationId);
    }

    private void checkListener() {
        if (!hasListener) {
            throw new IllegalStateException("tryPropose needs a ProposalListener: set one on the builder");
        }
    }

    /**
     * The node's tasks (core first), for applications that chose
     * {@link Builder#externalScheduling()} and run them on their own threads. Each agent must be run
     * by one thread at a time; different agents may run on different threads.
     *
     * @return a new list, as of now: the core, the log writer, the applier, the snapshot task (only with a
     *         snapshot store) and one replicator per other member known so far; a member added later
     *         brings a replicator that only a later call lists
     */
    public java.util.List<org.agrona.concurrent.Agent> agents() {
        return runtime.agents();
    }

    /**
     * Reads committed entries this node has applied, from its own log storage, for a subscriber of the
     * group's committed log ({@code io.ringraft.messaging.KeyedSubscription}). Entries of every kind come
     * back (check {@code kindAt}); the view is valid until the next read on this thread. Any thread;
     * blocks on the storage read.
     *
     * @param fromIndex the first index to read
     * @param maxCount  at most this many entries
     * @param maxBytes  at most about this many payload bytes (at least one entry)
     * @return the entries from {@code fromIndex}, none past the applied index (empty if there is none yet)
     * @throws java.io.IOException if {@code fromIndex} was purged from the log ({@code status().purgedIndex()})
     *                             or the read failed
     */
    public io.ringraft.spi.LogEntries readApplied(long fromIndex, int maxCount, int maxBytes)
            throws java.io.IOException {
        return runtime.readApplied(fromIndex, maxCount, maxBytes);
    }

    /**
     * The node's role, term, leader and progress pointers now. Allocates a fresh record on each call:
     * for a frequent leadership check use {@link #isLeader()}.
     *
     * @return the status now (each field read atomically, not all at once)
     */
    public RaftStatus status() {
        return runtime.status();
    }

    /**
     * How stale this replica's applied state may be, measured without any other machine's clock: how long
     * ago, by this node's monotonic clock, it received from its leader a message (AppendEntries or
     * heartbeat) whose leader commit index (an entry of the leader's term) it has applied in full.
     * Everything the leader had committed when it sent that message is applied here. On a leader that
     * serves (it committed an entry of its term) and has applied its whole commit index it is 0. The bound
     * reads bounded by time check (docs/client.md): the state is at most this old plus
     * that message's one-way delay, as seen by the leader this replica follows (a leader deposed without
     * knowing it steps down within an election timeout, by check-quorum). Any thread; no allocation.
     *
     * @return nanoseconds, or {@link Long#MAX_VALUE} if the replica never heard a commit index it has
     *         applied (among the last 64 it heard), or it stopped
     */
    public long appliedStalenessNanos() {
        return runtime.appliedStalenessNanos();
    }

    /**
     * Whether this node is a leader that serves now: it leads its current term, has committed an entry
     * of that term (its election's no-op, so its commit index is current), and has not stopped. Then
     * proposals, linearizable reads and membership changes are taken here without waiting. Unlike
     * {@code status().isLeader()} (the role alone), it stays false for the moment between winning an
     * election and committing the no-op.
     *
     * <p>A view of one moment, for routing: leadership may move right after it returned, so a proposal
     * sent on its word can still fail with {@link NotLeaderException} or {@link IndeterminateException}.
     * Any thread; two volatile reads, no allocation, no lock.
     *
     * @return true if this node leads, has committed an entry of its term and has not stopped
     */
    public boolean isLeader() {
        return runtime.isReadyLeader();
    }

    /**
     * Waits until this node knows a leader that serves (this node or another) and returns its id: a
     * leader of this node's current term whose term's first entry this node has seen committed (on a
     * follower this is learnt from the leader's next message, typically a heartbeat later than on the leader).
     * Returns at once if one is known. Compare the id with {@link #nodeId()} to know whether to propose
     * here or send the command to that node (or {@link #forward} it).
     *
     * <p>Any thread except the node's own (listener and state machine callbacks). The caller parks; it
     * is woken when the leader changes or the node stops (no spinning). At most 1024 threads wait at
     * once; more fail at once with {@link RejectedException}.
     *
     * @param timeout how long to wait at most
     * @return the ready leader's node id
     * @throws java.util.concurrent.TimeoutException if no leader was ready within {@code timeout}
     * @throws InterruptedException                  if the caller was interrupted while waiting
     * @throws NodeStoppedException                  if the node is or became stopped (closed or failed)
     */
    public long awaitLeader(java.time.Duration timeout)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE; // a timeout beyond 292 years waits as long as it may
        }
        return runtime.awaitLeader(nanos);
    }

    /** {@return this node's id, as given to {@link Builder#nodeId(long)}} */
    public long nodeId() {
        return runtime.selfId();
    }

    /** {@return the id of the Raft group this node belongs to, as given to {@link Builder#groupId(long)}} */
    public long groupId() {
        return runtime.groupId();
    }

    /**
     * Stops the node: tasks end (this waits for their threads), then every proposal, read and request
     * still pending fails exactly once (the listener is called for each accepted {@code tryPropose}),
     * transport and storage close. Idempotent. Do not call it from a listener or state machine callback.
     */
    @Override
    public void close() {
        runtime.close();
    }

    /** Builds a {@link RaftNode}; {@link #build()} validates the whole configuration. Not thread-safe. */
    public static final class Builder {
        private long groupId = 1;
        private long nodeId;
        private long[] voters;
        private RaftConfig config = RaftConfig.defaults();
        private StateMachine stateMachine;
        private LogStorage logStorage;
        private SnapshotStore snapshotStore;
        private RaftTransportFactory transport;
        private ProposalListener listener;
        private NodeRuntime.Threading threading = NodeRuntime.Threading.DEDICATED;
        private long randomSeed = new SecureRandom().nextLong();
        private StateListener stateListener;
        private FailStopHandler failStopHandler;
        private boolean joining;
        private RaftMetrics metrics = RaftMetrics.NONE;
        /** Set by {@link RaftHost}: where the host runs the node's tasks. */
        private io.ringraft.internal.runtime.HostedPlacement hosted;

        private Builder() {
        }

        /** The host runs the node's tasks on its shared threads ({@link RaftHost} only). */
        Builder hostedBy(io.ringraft.internal.runtime.HostedPlacement placement) {
            this.hosted = placement;
            this.threading = NodeRuntime.Threading.HOSTED;
            return this;
        }

        /**
         * The Raft group this node belongs to (default 1).
         *
         * @param groupId the group's id, the same on every member of the group (the transport routes
         *                messages by group id and node id); any value but
         *                {@link io.ringraft.message.HeartbeatBatch#HOST_GROUP_ID} ({@code Long.MIN_VALUE}),
         *                which {@link #build()} refuses
         * @return this builder
         */
        public Builder groupId(long groupId) { this.groupId = groupId; return this; }

        /**
         * This node's id, positive, unique in the group (required).
         *
         * @param nodeId this node's id
         * @return this builder
         */
        public Builder nodeId(long nodeId) { this.nodeId = nodeId; return this; }

        /**
         * The ids of the voting members this node starts with (a node recovering a log with
         * configuration entries uses the newest of those instead, a node restoring a snapshot the
         * snapshot's). They must include this node, unless it is {@link #joining(boolean) joining}.
         *
         * @param voters the voters' ids: at least one, each positive (required; the array is copied)
         * @return this builder
         */
        public Builder voters(long... voters) { this.voters = voters.clone(); return this; }

        /**
         * This node joins a running cluster as a new member (default false). It lists the cluster's
         * current voters in {@link #voters} without being among them, starts as a non-member (it neither
         * campaigns nor votes) and takes the leader's log once the leader adds it
         * ({@code addLearner}, then {@code changeMembership} to make it a voter); it becomes a member
         * when a configuration that names it reaches its log. Without this setting, {@link #build()}
         * refuses a node that is not a member of the membership it starts with (a typo in the node
         * id or the voters would otherwise leave it waiting for a leader forever). Harmless once the
         * node is a member: a restarted node uses the configuration in its log.
         *
         * @param joining whether this node joins a running cluster as a new member
         * @return this builder
         */
        public Builder joining(boolean joining) { this.joining = joining; return this; }

        /**
         * The node's timing, bounds and back-pressure settings (default {@link RaftConfig#defaults()}).
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder config(RaftConfig config) { this.config = config; return this; }

        /**
         * The replicated state machine, applied synchronously in batches (this or the streaming form is required).
         *
         * @param stateMachine the state machine (see {@link StateMachine} for the threads that call it)
         * @return this builder
         */
        public Builder stateMachine(StateMachine stateMachine) { this.stateMachine = stateMachine; return this; }

        /**
         * A replicated state machine that takes committed commands as a stream and reports its progress
         * later ({@link StreamingStateMachine}); instead of {@link #stateMachine(StateMachine)} (a separate
         * name, so that a lambda for either stays unambiguous).
         *
         * @param stateMachine the state machine (see {@link StreamingStateMachine} for the threads that
         *                     call it)
         * @return this builder
         */
        public Builder streamingStateMachine(StreamingStateMachine stateMachine) {
            this.stateMachine = NodeRuntime.streaming(stateMachine);
            return this;
        }

        /**
         * Durable storage (required; use {@code io.ringraft.local.InMemoryLogStorage} for tests).
         *
         * @param logStorage the node's log; the node recovers it in {@link #build()} and closes it
         * @return this builder
         */
        public Builder logStorage(LogStorage logStorage) { this.logStorage = logStorage; return this; }

        /**
         * How the node reaches its peers (required): {@code io.ringraft.local.LocalNetwork} in one
         * process, or {@code NettyTransport} of raft-net-netty over TCP. One factory may serve many nodes.
         *
         * @param transport the factory the node connects through when it starts (closing the node closes
         *                  its connection, not the factory)
         * @return this builder
         */
        public Builder transport(RaftTransportFactory transport) { this.transport = transport; return this; }

        /**
         * Where snapshots go (optional; {@code io.ringraft.local.InMemorySnapshotStore} for tests,
         * {@code io.ringraft.storage.FileSnapshotStore} for durable nodes). With a store the node
         * takes snapshots by {@link RaftConfig}'s policy, purges its log below them, restores the
         * newest one when it starts, and can catch up followers that fell behind the purged log; the
         * state machine must then implement {@link StateMachine#snapshot()} and
         * {@link StateMachine#restore}. Without one the log is never purged. The node closes it.
         *
         * @param store the node's snapshot store
         * @return this builder
         */
        public Builder snapshotStore(SnapshotStore store) { this.snapshotStore = store; return this; }

        /**
         * Receives the outcomes of {@link RaftNode#tryPropose} (optional; {@code tryPropose} needs one).
         *
         * @param listener told the outcome of every accepted {@code tryPropose} (see
         *                 {@link ProposalListener} for the threads that call it)
         * @return this builder
         */
        public Builder proposalListener(ProposalListener listener) { this.listener = listener; return this; }

        /**
         * Run all of this node's tasks on one thread instead of one thread per task. Replaces
         * {@link #externalScheduling()} if called after it.
         *
         * @param shared true for one thread for all tasks, false for one thread per task (the default)
         * @return this builder
         */
        public Builder sharedThread(boolean shared) {
            this.threading = shared ? NodeRuntime.Threading.SHARED : NodeRuntime.Threading.DEDICATED;
            return this;
        }

        /**
         * Run the peer senders on the core's thread instead of a thread per peer: a node then has four
         * threads (core and senders, log writer, applier, snapshots) whatever its number of peers, and an
         * AppendEntries the core decides leaves in the same duty cycle, with no thread wake-up in between.
         * The cost: while a sender reads a lagging follower's entries from storage (entries the ring no
         * longer holds), the core waits. Replaces {@link #sharedThread} and {@link #externalScheduling()}
         * if called after them.
         *
         * @param compact true for the senders on the core's thread, false for a thread per task (the default)
         * @return this builder
         */
        public Builder sendersOnCoreThread(boolean compact) {
            this.threading = compact ? NodeRuntime.Threading.COMPACT : NodeRuntime.Threading.DEDICATED;
            return this;
        }

        /**
         * Start no threads: the application runs {@link RaftNode#agents()} itself, for example many
         * nodes' agents on a few shared Agrona {@code AgentRunner}s (use an idle strategy that
         * sleeps or parks briefly; the core needs a duty cycle at least once per tick). Stop running
         * them before {@link RaftNode#close()}.
         *
         * @return this builder
         */
        public Builder externalScheduling() {
            this.threading = NodeRuntime.Threading.MANUAL;
            return this;
        }

        /**
         * Told about role, term and leader changes, on the core thread (optional).
         *
         * @param listener called with the node's status after each change and once when the node
         *                 fail-stops; must not block
         * @return this builder
         */
        public Builder stateListener(StateListener listener) { this.stateListener = listener; return this; }

        /**
         * What to do when the node fail-stops, besides failing what is pending (optional; default:
         * nothing, the process runs on and only the status says {@link Role#FAILED}). For example
         * {@link FailStopHandler#exitProcess} so a supervisor restarts the process.
         *
         * @param handler run once, on its own thread, when the node fail-stops; null for none
         * @return this builder
         */
        public Builder onFailStop(FailStopHandler handler) { this.failStopHandler = handler; return this; }

        /**
         * Where the node reports measurements: commit, fsync and apply latencies, rejections, snapshots,
         * messages (optional; default {@link RaftMetrics#NONE}, which costs nothing). One instance per node;
         * the module {@code raft-metrics-micrometer} has one for Micrometer.
         *
         * @param metrics the node's metrics listener
         * @return this builder
         */
        public Builder metrics(RaftMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Seed of the election timer's randomness (default: random).
         *
         * @param seed the seed; the same seed gives the same sequence of randomized election timeouts
         * @return this builder
         */
        public Builder randomSeed(long seed) { this.randomSeed = seed; return this; }

        /** {@code listener} (may be null) followed, when the node fail-stops, by {@code handler} on its own thread. */
        private static StateListener withFailStop(StateListener listener, FailStopHandler handler) {
            if (handler == null) {
                return listener;
            }
            return status -> {
                if (listener != null) {
                    listener.onStateChange(status);
                }
                if (status.role() == Role.FAILED) {
                    FailStopHandler.runOnOwnThread(handler, status);
                }
            };
        }

        /**
         * Recovers storage and assembles the node (not started). Checks, before opening anything, that
         * the transport can carry an entry of {@link RaftConfig#maxEntryBytes()}
         * ({@link RaftTransportFactory#maxEntryBytes()}), and after recovery that this node is a member
         * of the membership it starts with unless it is {@link #joining(boolean) joining} (it then closes
         * what it opened).
         *
         * @return the node, recovered and not started
         * @throws IllegalArgumentException if a required part is missing, the membership is invalid or
         *                                  does not name this node (and it is not joining), or
         *                                  {@code maxEntryBytes} exceeds what the transport carries, or
         *                                  the group id is the reserved {@code HeartbeatBatch.HOST_GROUP_ID}
         * @throws java.io.UncheckedIOException if storage cannot be recovered
         * @throws StateMachineFailedException  if the state machine throws restoring the newest snapshot
         */
        public RaftNode build() {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            if (groupId == io.ringraft.message.HeartbeatBatch.HOST_GROUP_ID) {
                throw new IllegalArgumentException("groupId " + groupId + " is reserved for host-level messages "
                        + "(HeartbeatBatch.HOST_GROUP_ID); pick another group id");
            }
            if (voters == null || voters.length == 0) {
                throw new IllegalArgumentException("voters must name at least one node");
            }

            Objects.requireNonNull(stateMachine, "stateMachine is required");
            Objects.requireNonNull(logStorage, "logStorage is required");
            Objects.requireNonNull(transport, "transport is required");
            int carried = transport.maxEntryBytes();
            if (config.maxEntryBytes() > carried) {
                throw new IllegalArgumentException("RaftConfig.maxEntryBytes (" + config.maxEntryBytes()
                        + ") exceeds the largest entry the transport carries in one message (" + carried
                        + " bytes: " + transport + "); lower maxEntryBytes or raise the transport's frame limit "
                        + "(NettyTransport: maxFrameBytes), or the leader could not send such an entry to its followers");
            }
            NodeRuntime runtime = new NodeRuntime(groupId, nodeId, voters, config, stateMachine, logStorage,
                    snapshotStore, transport, listener, withFailStop(stateListener, failStopHandler), metrics,
                    threading, hosted, System::nanoTime,
                    new SplittableRandom(randomSeed));
            String membership = runtime.membershipWithoutSelf();
            if (membership != null && !joining) {
                runtime.close(); // releases storage: the caller may build again with the same directories
                throw new IllegalArgumentException("node " + nodeId + " is not a member of group " + groupId
                        + ": it starts with " + membership + " (the voters given here, unless its log or snapshot "
                        + "holds a newer configuration). Check nodeId and voters for a typo; a node that is to "
                        + "join a running cluster says so with joining(true) and waits until the leader adds it");
            }
            return new RaftNode(new NodeHandle(runtime), listener != null);
        }
    }
}
