package io.ringraft.api;

import io.ringraft.internal.runtime.NodeHandle;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.spi.LogStorage;
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

    /** A builder for a node. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the node's tasks and connects it to the network. Call once. */
    public void start() {
        runtime.start();
    }

    /**
     * Proposes a command. The future completes with the state machine's result for it, or
     * exceptionally with a {@link RaftException} (never hangs: closing the node fails what is pending).
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
     * known, or it moved; retry) and {@link RejectedException} (refused: full, too large, or its entry
     * was replaced by a newer leader's) mean it certainly did not; {@link IndeterminateException} (the
     * leader did not answer within two election timeouts, or the entry was not applied here within
     * ten) means it may have. At most {@link RaftConfig#maxPendingFutures()} forwards wait at once.
     */
    public CompletableFuture<Object> forward(byte[] command) {
        Objects.requireNonNull(command, "command");
        if (runtime.status().role() == Role.LEADER) {
            return propose(command);
        }
        return handle.forward(command);
    }

    /**
     * A linearizable read: {@code query} is answered by {@link StateMachine#query} on this node once
     * it has applied everything committed before the read began (ReadIndex: the leader confirms its
     * leadership with a quorum; a follower asks the leader). Nothing is written to the log. The
     * future fails with {@link NotLeaderException} if no leader could confirm the read (retry), or
     * {@link RejectedException} if too many reads are in flight ({@link RaftConfig#maxPendingReads()}).
     * The array is kept, not copied, until the read is served: do not change it meanwhile. The state
     * machine reads it as a {@link Bytes} view.
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

    /** Adds {@code nodeId} as a learner, keeping every current member (call it on the leader). */
    public CompletableFuture<Void> addLearner(long nodeId) {
        Membership current = status().membership();
        java.util.Set<Long> learners = new java.util.TreeSet<>(current.learners());
        learners.add(nodeId);
        return changeMembership(current.voters(), learners);
    }

    /**
     * Proposes {@code length} bytes of {@code command} from {@code offset} without allocating. The
     * bytes are copied into the node's bounded proposal queue before this returns, so the array may
     * be reused at once. The outcome goes to the builder's {@link ProposalListener} with
     * {@code correlationId}.
     *
     * @param command       holds the command's bytes
     * @param offset        where the command starts in {@code command}
     * @param length        how many bytes the command has
     * @param correlationId handed back to the listener with the outcome
     * @return false if the proposal was not queued (queue full, node stopped, or too large); the
     *         listener is then not called
     * @throws IllegalStateException if the node was built without a listener
     * @throws IndexOutOfBoundsException if the range is outside {@code command}
     */
    public boolean tryPropose(byte[] command, int offset, int length, long correlationId) {
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
     * @return false if the proposal was not queued; the listener is then not called
     * @throws IllegalStateException if the node was built without a listener
     */
    public boolean tryPropose(byte[] command, long correlationId) {
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
     * @return false if the proposal was not queued; the listener is then not called
     * @throws IllegalStateException if the node was built without a listener
     */
    public boolean tryPropose(ByteBuffer command, long correlationId) {
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
     */
    public java.util.List<org.agrona.concurrent.Agent> agents() {
        return runtime.agents();
    }

    /** The node's role, term, leader and progress pointers now. */
    public RaftStatus status() {
        return runtime.status();
    }

    public long nodeId() {
        return runtime.selfId();
    }

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

        private Builder() {
        }

        /** The Raft group this node belongs to (default 1). */
        public Builder groupId(long groupId) { this.groupId = groupId; return this; }

        /** This node's id, positive, unique in the group. */
        public Builder nodeId(long nodeId) { this.nodeId = nodeId; return this; }

        /**
         * The ids of the voting members this node starts with (a node recovering a log with
         * configuration entries uses the newest of those instead). A node joining an existing
         * cluster lists the cluster's current voters and need not be among them: it becomes a
         * member when a configuration that names it reaches its log.
         */
        public Builder voters(long... voters) { this.voters = voters.clone(); return this; }

        public Builder config(RaftConfig config) { this.config = config; return this; }

        /** The replicated state machine, applied synchronously in batches (this or the streaming form is required). */
        public Builder stateMachine(StateMachine stateMachine) { this.stateMachine = stateMachine; return this; }

        /**
         * A replicated state machine that takes committed commands as a stream and reports its progress
         * later ({@link StreamingStateMachine}); instead of {@link #stateMachine(StateMachine)} (a separate
         * name, so that a lambda for either stays unambiguous).
         */
        public Builder streamingStateMachine(StreamingStateMachine stateMachine) {
            this.stateMachine = NodeRuntime.streaming(stateMachine);
            return this;
        }

        /** Durable storage (required; use {@code io.ringraft.local.InMemoryLogStorage} for tests). */
        public Builder logStorage(LogStorage logStorage) { this.logStorage = logStorage; return this; }

        public Builder transport(RaftTransportFactory transport) { this.transport = transport; return this; }

        /**
         * Where snapshots go (optional; {@code io.ringraft.local.InMemorySnapshotStore} for tests,
         * {@code io.ringraft.storage.FileSnapshotStore} for durable nodes). With a store the node
         * takes snapshots by {@link RaftConfig}'s policy, purges its log below them, restores the
         * newest one when it starts, and can catch up followers that fell behind the purged log; the
         * state machine must then implement {@link StateMachine#snapshot()} and
         * {@link StateMachine#restore}. Without one the log is never purged. The node closes it.
         */
        public Builder snapshotStore(SnapshotStore store) { this.snapshotStore = store; return this; }

        /** Receives the outcomes of {@link RaftNode#tryPropose} (optional). */
        public Builder proposalListener(ProposalListener listener) { this.listener = listener; return this; }

        /** Run all of this node's tasks on one thread instead of one thread per task. */
        public Builder sharedThread(boolean shared) {
            this.threading = shared ? NodeRuntime.Threading.SHARED : NodeRuntime.Threading.DEDICATED;
            return this;
        }

        /**
         * Start no threads: the application runs {@link RaftNode#agents()} itself, for example many
         * nodes' agents on a few shared Agrona {@code AgentRunner}s (use an idle strategy that
         * sleeps or parks briefly; the core needs a duty cycle at least once per tick). Stop running
         * them before {@link RaftNode#close()}.
         */
        public Builder externalScheduling() {
            this.threading = NodeRuntime.Threading.MANUAL;
            return this;
        }

        /** Told about role, term and leader changes, on the core thread (optional). */
        public Builder stateListener(StateListener listener) { this.stateListener = listener; return this; }

        /** Seed of the election timer's randomness (default: random). */
        public Builder randomSeed(long seed) { this.randomSeed = seed; return this; }

        /**
         * Recovers storage and assembles the node (not started).
         *
         * @throws IllegalArgumentException if a required part is missing or the membership is invalid
         * @throws java.io.UncheckedIOException if storage cannot be recovered
         */
        public RaftNode build() {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            if (voters == null || voters.length == 0) {
                throw new IllegalArgumentException("voters must name at least one node");
            }

            Objects.requireNonNull(stateMachine, "stateMachine is required");
            Objects.requireNonNull(logStorage, "logStorage is required");
            Objects.requireNonNull(transport, "transport is required");
            NodeRuntime runtime = new NodeRuntime(groupId, nodeId, voters, config, stateMachine, logStorage,
                    snapshotStore, transport, listener, threading, System::nanoTime, new SplittableRandom(randomSeed));
            if (stateListener != null) {
                runtime.stateListener(stateListener);
            }
            return new RaftNode(new NodeHandle(runtime), listener != null);
        }
    }
}
