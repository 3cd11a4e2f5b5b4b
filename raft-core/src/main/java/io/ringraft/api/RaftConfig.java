package io.ringraft.api;

/**
 * Tuning of one Raft node: timing, memory bounds and back-pressure. Immutable; build it with
 * {@link #builder()} and hand it to {@code RaftNode.builder()}.
 *
 * <p>Every bound here is a hard bound: the node never holds more than the configured entries,
 * bytes, queued messages or pending results, and tells callers when one is full (see
 * {@link RejectedException}). Defaults suit a LAN cluster with 100 B to 10 KiB commands.
 */
public final class RaftConfig {

    private final int tickMillis;
    private final int electionTimeoutMillis;
    private final int heartbeatIntervalMillis;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final int ringCapacityEntries;
    private final int ringCapacityBytes;
    private final int maxEntryBytes;
    private final int maxInflightAppends;
    private final int maxEntriesPerAppend;
    private final int maxBytesPerAppend;
    private final int proposalQueueBytes;
    private final int inboundQueueCapacity;
    private final int maxPendingFutures;
    private final long proposalWaitMillis;
    private final int batchEntries;
    private final int maxPendingReads;
    private final boolean leaseReads;
    private final int maxMembers;
    private final int clockDriftBoundPercent;
    private final long snapshotIntervalEntries;
    private final long snapshotIntervalBytes;
    private final long snapshotLogTailEntries;
    private final long followerRetentionEntries;
    private final long snapshotSendBytesPerSecond;
    private final long catchUpBytesPerSecond;
    private final int snapshotChunkBytes;
    private final long snapshotCheckpointBytes;
    private final int maxApplyBatchesInFlight;
    private final int quiesceAfterMillis;
    private final boolean startDormant;

    private RaftConfig(Builder b) {
        this.tickMillis = b.tickMillis;
        this.electionTimeoutMillis = b.electionTimeoutMillis;
        this.heartbeatIntervalMillis = b.heartbeatIntervalMillis;
        this.preVote = b.preVote;
        this.checkQuorum = b.checkQuorum;
        this.ringCapacityEntries = b.ringCapacityEntries;
        this.ringCapacityBytes = b.ringCapacityBytes;
        this.maxEntryBytes = b.maxEntryBytes;
        this.maxInflightAppends = b.maxInflightAppends;
        this.maxEntriesPerAppend = b.maxEntriesPerAppend;
        this.maxBytesPerAppend = b.maxBytesPerAppend;
        this.proposalQueueBytes = b.proposalQueueBytes;
        this.inboundQueueCapacity = b.inboundQueueCapacity;
        this.maxPendingFutures = b.maxPendingFutures;
        this.proposalWaitMillis = b.proposalWaitMillis;
        this.batchEntries = b.batchEntries;
        this.maxPendingReads = b.maxPendingReads;
        this.leaseReads = b.leaseReads;
        this.maxMembers = b.maxMembers;
        this.clockDriftBoundPercent = b.clockDriftBoundPercent;
        this.snapshotIntervalEntries = b.snapshotIntervalEntries;
        this.snapshotIntervalBytes = b.snapshotIntervalBytes;
        this.snapshotLogTailEntries = b.snapshotLogTailEntries;
        this.followerRetentionEntries = b.followerRetentionEntries;
        this.snapshotSendBytesPerSecond = b.snapshotSendBytesPerSecond;
        this.catchUpBytesPerSecond = b.catchUpBytesPerSecond;
        this.snapshotChunkBytes = b.snapshotChunkBytes;
        this.snapshotCheckpointBytes = b.snapshotCheckpointBytes;
        this.maxApplyBatchesInFlight = b.maxApplyBatchesInFlight;
        this.quiesceAfterMillis = b.quiesceAfterMillis;
        this.startDormant = b.startDormant;
    }

    /** {@return a new builder, every setting at its default} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a configuration with every setting at its default (each getter names its default)} */
    public static RaftConfig defaults() {
        return builder().build();
    }

    /**
     * A builder preset for the many small groups of a {@link RaftHost}: the defaults, except for the
     * sizes that a node reserves up front ({@link #reservedBytes()}), which are cut so that thousands of
     * groups fit a heap: a 256-entry, 64 KiB ring, entries of at most 4 KiB, a 64 KiB proposal queue,
     * 256 inbound messages, 1,024 pending futures and 64 pending reads, appends of at most 64 entries or
     * 32 KiB; coarser time (a 50 ms tick, 100 ms heartbeats, a 1 s election timeout: every active
     * group costs its worker a duty cycle per tick, so ticks are what many groups pay for) and a group
     * idle for two seconds quiesces ({@link #quiesceAfterMillis()}); nodes start dormant
     * ({@link #startDormant()}). About 215 KiB per group by {@link #reservedBytes()}; a quiet group hands
     * its ring and proposal queue back and holds about 41 KB (measured); raise what a group needs (for example
     * {@code maxEntryBytes} together with the ring and the queue).
     *
     * @return a new builder with the host sizes set
     */
    public static Builder hostBuilder() {
        return builder()
                .ringCapacityEntries(256)
                .ringCapacityBytes(64 << 10)
                .maxEntryBytes(4 << 10)
                .maxBytesPerAppend(32 << 10)
                .maxEntriesPerAppend(64)
                .batchEntries(64)
                .proposalQueueBytes(64 << 10)
                .inboundQueueCapacity(256)
                .maxPendingFutures(1024)
                .maxPendingReads(64)
                .maxInflightAppends(16)
                .tickMillis(50)
                .heartbeatIntervalMillis(100)
                .electionTimeoutMillis(1_000)
                .quiesceAfterMillis(2_000)
                .startDormant(true);
    }

    /** {@return the configuration a {@link RaftHost} gives a group unless told otherwise: {@link #hostBuilder()}'s} */
    public static RaftConfig hostDefaults() {
        return hostBuilder().build();
    }

    /**
     * An estimate of the memory a node with this configuration reserves when it is built, whatever its
     * load: the ring (its arena and about 70 bytes of bookkeeping per slot), the proposal queue, the views
     * its tasks read the ring through (about 38 bytes per entry they can hold: the log writer's and the
     * applier's of {@code batchEntries}, a sender's of {@code maxEntriesPerAppend} for each of up to four
     * peers), the applier's buffer for entries read back from storage ({@code maxBytesPerAppend}; allocated
     * the first time it is needed), and the bounded queues and tables of inbound messages, futures, reads,
     * forwards and per-peer outboxes (4 bytes per reference, as with compressed references), plus about
     * {@value #FIXED_NODE_BYTES} bytes of fixed structures. A {@link RaftHost} charges it against its memory
     * budget, for as long as the group exists: the ring and the proposal queue are allocated when first
     * used and handed back while the group is quiet, but stay reserved, so that a group the host admitted
     * can always wake. It leaves out what load adds within those bounds (a future per pending proposal, messages in
     * flight) and the state machine's own state. {@code HostBenchmark} measures the heap an idle group
     * really holds ({@code docs/benchmarks.md}).
     *
     * @return the estimate in bytes, for a group of up to five members
     */
    public long reservedBytes() {
        // Per slot: version, index, term, kind, correlation, origin, position, length, end position, and where
        // the payload lies (array reference, offset, the proposal queue's pin).
        long ring = (long) ringCapacityEntries * 70 + ringCapacityBytes;
        long views = 38L * (2L * batchEntries + 4L * maxEntriesPerAppend)
                + 26L * batchEntries + Math.max(maxBytesPerAppend, maxEntryBytes);
        long queues = (long) proposalQueueBytes
                + 8L * maxPendingFutures                    // futures by id, forwards queued
                + 12L * maxPendingReads                     // reads by id, submitted, ready
                + 4L * inboundQueueCapacity
                + 4L * 4 * (maxInflightAppends + 16);       // outboxes of up to four peers
        return ring + views + queues + 24L * maxMembers + FIXED_NODE_BYTES;
    }

    /** The fixed part of {@link #reservedBytes()}: the node's objects, pointers and tasks (measured). */
    static final long FIXED_NODE_BYTES = 16 << 10;

    /**
     * {@return the length of one engine tick, in milliseconds} The core advances its timers once per
     * tick: the election timeout, the heartbeat interval and the lease are counted in whole ticks
     * (rounded down). Default 10 ms.
     */
    public int tickMillis() { return tickMillis; }

    /**
     * {@return the base election timeout, in milliseconds} The real one is random in [1x, 2x) (see
     * {@link #electionTimeoutTicks()}). Default 300 ms.
     */
    public int electionTimeoutMillis() { return electionTimeoutMillis; }

    /** {@return the leader's heartbeat interval, in milliseconds} Default 50 ms. */
    public int heartbeatIntervalMillis() { return heartbeatIntervalMillis; }

    /**
     * {@return whether a node runs a pre-vote round before it raises its term} A candidate that could
     * not win then leaves the term alone. Default on.
     */
    public boolean preVote() { return preVote; }

    /**
     * {@return whether check-quorum is on} Leaders step down without a live quorum; voters ignore
     * disruptive candidates. Default on.
     */
    public boolean checkQuorum() { return checkQuorum; }

    /**
     * {@return how many log entries the node's in-memory ring holds (a power of two)} An entry stays
     * there at least until it is applied; a ring full of unapplied entries back-pressures proposers.
     * Default 16384.
     */
    public int ringCapacityEntries() { return ringCapacityEntries; }

    /**
     * {@return how many payload bytes the ring holds} One heap array, allocated with the ring's first entry
     * and handed back while the group is quiet ({@link #quiesceAfterMillis()}). Default 32 MiB.
     */
    public int ringCapacityBytes() { return ringCapacityBytes; }

    /**
     * {@return the largest payload of one command, in bytes} A larger proposal is refused
     * ({@link RejectedException}, or {@link Admission#TOO_LARGE} from {@code tryPropose}). Default 256 KiB.
     */
    public int maxEntryBytes() { return maxEntryBytes; }

    /**
     * {@return how many AppendEntries may be in flight, not yet acknowledged, to one follower} The
     * pipelining window. Default 32.
     */
    public int maxInflightAppends() { return maxInflightAppends; }

    /** {@return the most entries in one AppendEntries} Default 512. */
    public int maxEntriesPerAppend() { return maxEntriesPerAppend; }

    /**
     * {@return the most payload bytes in one AppendEntries} At least one entry is always sent. Default
     * 1 MiB.
     */
    public int maxBytesPerAppend() { return maxBytesPerAppend; }

    /**
     * {@return the size in bytes of the queue of proposals waiting for the core (a power of two)} A
     * proposal takes its payload plus a 16-byte header there, padded to a multiple of 8, from the moment it
     * is accepted until its entry is applied and the ring lets go of it (a leader's ring reads proposals in
     * place there: they are copied once). So it bounds the proposals queued and those a leader holds
     * uncommitted or unapplied; a full queue refuses proposals ({@code Admission.QUEUE_FULL}). Allocated with
     * the first proposal and handed back while the group is quiet. Default 4 MiB.
     */
    public int proposalQueueBytes() { return proposalQueueBytes; }

    /**
     * {@return how many inbound messages may wait for the core} The queue rounds it up to a power of
     * two; when it is full, the transport drops messages or pauses reading (see
     * {@link io.ringraft.spi.RaftTransportFactory.InboundHandler#offer}). Default 1024.
     */
    public int inboundQueueCapacity() { return inboundQueueCapacity; }

    /**
     * {@return how many proposals made with futures may await their results at once (a power of two)}
     * The same bound applies, separately, to commands forwarded with {@link RaftNode#forward}. Default
     * 65536.
     */
    public int maxPendingFutures() { return maxPendingFutures; }

    /**
     * {@return how long, in milliseconds, a proposer waits for room in the proposal queue} It waits on
     * its own thread; if no room comes in time (at once with 0), the proposal is refused
     * ({@link RejectedException}, or {@link Admission#QUEUE_FULL} from {@code tryPropose}). Default 0.
     */
    public long proposalWaitMillis() { return proposalWaitMillis; }

    /** {@return how many entries the log writer and the applier handle per batch, at most} Default 1024. */
    public int batchEntries() { return batchEntries; }

    /**
     * {@return how many linearizable reads may wait for their read index or their turn at once (a power
     * of two)} More are refused with {@link RejectedException}. Default 1024.
     */
    public int maxPendingReads() { return maxPendingReads; }

    /**
     * {@return whether leader leases are on} A leader answers linearizable reads without a quorum round
     * while its lease runs. Safe only if no node's clock runs more than {@link #clockDriftBoundPercent()}
     * slower or faster than another's over an election timeout; needs check-quorum. Default off.
     */
    public boolean leaseReads() { return leaseReads; }

    /**
     * {@return the most other members (voters and learners, current and past) a node ever replicates
     * to} One outbox and one replicator task each; a membership change that names more other members
     * is refused. Default 16.
     */
    public int maxMembers() { return maxMembers; }

    /**
     * {@return the clock drift the lease allows for, in percent of the election timeout} In [0, 100).
     * Default 10.
     */
    public int clockDriftBoundPercent() { return clockDriftBoundPercent; }

    /**
     * {@return how many applied entries make a snapshot due} A node with a snapshot store takes a
     * snapshot once this many entries were applied since the last one (0: never on this account).
     * Default 100,000.
     */
    public long snapshotIntervalEntries() { return snapshotIntervalEntries; }

    /**
     * {@return how many applied payload bytes make a snapshot due} A node with a snapshot store takes a
     * snapshot once this many payload bytes were applied since the last one (0: never on this
     * account). Default 256 MiB.
     */
    public long snapshotIntervalBytes() { return snapshotIntervalBytes; }

    /**
     * {@return how many entries below a new snapshot the log keeps when it is purged} So a follower a
     * little behind catches up from the log rather than by a snapshot. Default 10,000.
     */
    public long snapshotLogTailEntries() { return snapshotLogTailEntries; }

    /**
     * {@return how many more entries below a new snapshot the leader may keep for its followers} When
     * the log is purged after a snapshot, the leader keeps it from the lowest follower's match index,
     * or from the index of a snapshot it is sending (so that follower continues from the log once the
     * transfer ends, and a transfer under way never has to start over), but at most this many entries
     * below the newest snapshot: a short pause of a follower needs no snapshot, and disk use stays
     * bounded. 0: only {@link #snapshotLogTailEntries()} is kept. Default 100,000.
     */
    public long followerRetentionEntries() { return followerRetentionEntries; }

    /**
     * {@return the rate at which a leader sends snapshot data to one follower, in bytes per second} So
     * catching a follower up does not starve the leader's writes (disk reads, network). 0: unpaced
     * (one chunk per round trip). Default 0.
     */
    public long snapshotSendBytesPerSecond() { return snapshotSendBytesPerSecond; }

    /**
     * {@return the rate at which a leader sends one follower entries it has to read back from storage,
     * in payload bytes per second} A follower far behind (after a pause, a restart, or a snapshot it
     * just installed) is sent entries the ring no longer holds, read from the log: without a pace the
     * leader reads and sends them as fast as it can, and its own writes slow down meanwhile. Entries the
     * ring still holds (every follower that keeps up) are never paced, and messages to the paced
     * follower wait behind a paced read for at most one read's time at this rate. Must exceed the
     * group's write rate for such a follower to catch up at all. 0: unpaced. Default 0.
     */
    public long catchUpBytesPerSecond() { return catchUpBytesPerSecond; }

    /**
     * {@return how many bytes of snapshot data go in one chunk sent to a follower} One chunk is in
     * flight per follower; a chunk must fit the transport's frame limit. Default 1 MiB.
     */
    public int snapshotChunkBytes() { return snapshotChunkBytes; }

    /**
     * {@return how many bytes of a snapshot a follower receives between checkpoints} A checkpoint forces
     * what was received and records it in the snapshot store, so a follower restarted during a transfer
     * continues from its last checkpoint instead of from the start (if the store supports it, as
     * {@code FileSnapshotStore} does, and the same leader is still sending the same snapshot). Each costs
     * two or three {@code fsync}s. Default 8 MiB.
     */
    public long snapshotCheckpointBytes() { return snapshotCheckpointBytes; }

    /**
     * {@return how many batches of commands a {@code StreamingStateMachine} may hold at once, handed
     * over and not yet reported applied} Each holds up to {@link #batchEntries()} entries, a view over
     * the ring, no copy; the node hands over no more until progress frees one. Unused with a
     * synchronous state machine. Default 4.
     */
    public int maxApplyBatchesInFlight() { return maxApplyBatchesInFlight; }

    /**
     * {@return how long a group must be idle before its leader quiesces it, in milliseconds; 0 (the
     * default) for never} Idle means: everything replicated to every member and committed, no read,
     * transfer or membership change pending, every follower answering. A quiesced group sends no
     * heartbeats and runs no election timers until a proposal, read or message wakes it, so that a
     * process can host many idle groups at almost no cost.
     *
     * <p>Quiet followers cannot notice a dead leader themselves: whoever runs the node must report a
     * peer process it lost ({@code peerUnreachable}, as a {@code RaftHost}'s liveness detector does),
     * only after hearing nothing from it for at least {@link #electionTimeoutMillis()}. A standalone
     * node has no such detector, which is why quiescence is off by default. When on, at least
     * {@link #electionTimeoutMillis()} and needs {@link #checkQuorum()}.
     */
    public int quiesceAfterMillis() { return quiesceAfterMillis; }

    /**
     * {@return whether a node starts dormant} A dormant node is quiet from its start without knowing a
     * leader: it runs no election timer until a peer's message (a candidate's vote request, a leader's
     * append), a local read, a proposal it must forward, or a caller waiting for a leader
     * ({@code RaftNode.awaitLeader}) wakes it; local demand makes it campaign within half an election
     * timeout. So a host that creates or restarts thousands of groups does not start thousands of
     * elections at once: each group elects when it is first used (or when a peer campaigns). A group
     * nobody uses has no leader. Without {@link #quiesceAfterMillis()} it has no effect (the wake-up paths
     * are quiescence's). Default off; on in {@link #hostBuilder()}.
     */
    public boolean startDormant() { return startDormant; }

    /**
     * {@return {@link #quiesceAfterMillis()} in ticks (rounded up, at least the election timeout in
     * ticks), or 0 when quiescence is off}
     */
    public int quiesceAfterTicks() {
        if (quiesceAfterMillis == 0) {
            return 0;
        }
        return Math.max(electionTimeoutTicks(), (quiesceAfterMillis + tickMillis - 1) / tickMillis);
    }

    /**
     * {@return the lease length in ticks, or 0 without leases} The election timeout in ticks less the
     * drift bound, less one tick, and at least one tick.
     */
    public int leaseTicks() {
        if (!leaseReads) {
            return 0;
        }
        return Math.max(1, electionTimeoutTicks() * (100 - clockDriftBoundPercent) / 100 - 1);
    }

    /**
     * {@return the base election timeout in ticks: {@link #electionTimeoutMillis()} divided by
     * {@link #tickMillis()}, rounded down, and at least 2} A node's election timer runs out after a
     * random number of ticks in [this, twice this).
     */
    public int electionTimeoutTicks() {
        return Math.max(2, electionTimeoutMillis / tickMillis);
    }

    /**
     * {@return the heartbeat interval in ticks: {@link #heartbeatIntervalMillis()} divided by
     * {@link #tickMillis()}, rounded down, and at least 1}
     */
    public int heartbeatIntervalTicks() {
        return Math.max(1, heartbeatIntervalMillis / tickMillis);
    }

    @Override
    public String toString() {
        return "RaftConfig[tick=" + tickMillis + "ms election=" + electionTimeoutMillis + "ms heartbeat="
                + heartbeatIntervalMillis + "ms preVote=" + preVote + " checkQuorum=" + checkQuorum
                + " ring=" + ringCapacityEntries + "/" + ringCapacityBytes + "B maxEntry=" + maxEntryBytes
                + "B window=" + maxInflightAppends + " batch=" + maxEntriesPerAppend + "/" + maxBytesPerAppend
                + "B proposals=" + proposalQueueBytes + "B inbound=" + inboundQueueCapacity + " futures="
                + maxPendingFutures + " reads=" + maxPendingReads + " lease=" + (leaseReads ? leaseTicks() + " ticks" : "off")
                + " wait=" + proposalWaitMillis + "ms snapshot every " + snapshotIntervalEntries + " entries/"
                + snapshotIntervalBytes + "B tail=" + snapshotLogTailEntries + " followerRetention=" + followerRetentionEntries
                + " chunk=" + snapshotChunkBytes + "B" + (snapshotSendBytesPerSecond == 0 ? "" : " at "
                + snapshotSendBytesPerSecond + "B/s") + (catchUpBytesPerSecond == 0 ? "" : " catchUp="
                + catchUpBytesPerSecond + "B/s")
                + " applyBatchesInFlight=" + maxApplyBatchesInFlight
                + " quiesceAfter=" + (quiesceAfterMillis == 0 ? "off" : quiesceAfterMillis + "ms")
                + (startDormant ? " dormant" : "") + "]";
    }

    /** Builds a {@link RaftConfig}; {@link #build()} validates every setting together. */
    public static final class Builder {
        private int tickMillis = 10;
        private int electionTimeoutMillis = 300;
        private int heartbeatIntervalMillis = 50;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private int ringCapacityEntries = 16384;
        private int ringCapacityBytes = 32 << 20;
        private int maxEntryBytes = 256 << 10;
        private int maxInflightAppends = 32;
        private int maxEntriesPerAppend = 512;
        private int maxBytesPerAppend = 1 << 20;
        private int proposalQueueBytes = 4 << 20;
        private int inboundQueueCapacity = 1024;
        private int maxPendingFutures = 65536;
        private long proposalWaitMillis;
        private int batchEntries = 1024;
        private int maxPendingReads = 1024;
        private boolean leaseReads;
        private int clockDriftBoundPercent = 10;
        private int maxMembers = 16;
        private long snapshotIntervalEntries = 100_000;
        private long snapshotIntervalBytes = 256L << 20;
        private long snapshotLogTailEntries = 10_000;
        private long followerRetentionEntries = 100_000;
        private long snapshotSendBytesPerSecond;
        private long catchUpBytesPerSecond;
        private int snapshotChunkBytes = 1 << 20;
        private long snapshotCheckpointBytes = 8L << 20;
        private int maxApplyBatchesInFlight = 4;
        private int quiesceAfterMillis;
        private boolean startDormant;

        private Builder() {
        }

        /**
         * Sets {@link RaftConfig#tickMillis()}.
         *
         * @param v the tick length in milliseconds: positive, at most {@code heartbeatIntervalMillis} (default 10)
         * @return this builder
         */
        public Builder tickMillis(int v) { tickMillis = v; return this; }

        /**
         * Sets {@link RaftConfig#electionTimeoutMillis()}.
         *
         * @param v the base election timeout in milliseconds: at least twice {@code heartbeatIntervalMillis}
         *          (default 300)
         * @return this builder
         */
        public Builder electionTimeoutMillis(int v) { electionTimeoutMillis = v; return this; }

        /**
         * Sets {@link RaftConfig#heartbeatIntervalMillis()}.
         *
         * @param v the heartbeat interval in milliseconds: at least {@code tickMillis}, at most half of
         *          {@code electionTimeoutMillis} (default 50)
         * @return this builder
         */
        public Builder heartbeatIntervalMillis(int v) { heartbeatIntervalMillis = v; return this; }

        /**
         * Sets {@link RaftConfig#preVote()}.
         *
         * @param v whether to run a pre-vote round before raising the term (default true)
         * @return this builder
         */
        public Builder preVote(boolean v) { preVote = v; return this; }

        /**
         * Sets {@link RaftConfig#checkQuorum()}.
         *
         * @param v whether leaders step down without a live quorum and voters ignore disruptive
         *          candidates (default true; lease reads need it)
         * @return this builder
         */
        public Builder checkQuorum(boolean v) { checkQuorum = v; return this; }

        /**
         * Sets {@link RaftConfig#ringCapacityEntries()}.
         *
         * @param v how many entries the ring holds: a power of two, at least 2 (default 16384)
         * @return this builder
         */
        public Builder ringCapacityEntries(int v) { ringCapacityEntries = v; return this; }

        /**
         * Sets {@link RaftConfig#ringCapacityBytes()}.
         *
         * @param v how many payload bytes the ring holds: at least twice {@code maxEntryBytes} (default
         *          32 MiB)
         * @return this builder
         */
        public Builder ringCapacityBytes(int v) { ringCapacityBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#maxEntryBytes()}.
         *
         * @param v the largest payload of one command in bytes: positive, at most half of
         *          {@code ringCapacityBytes}, at most {@code maxBytesPerAppend}, at most
         *          {@code proposalQueueBytes / 8 - 16}, and at most what the transport carries (which
         *          {@code RaftNode.Builder.build()} checks) (default 256 KiB)
         * @return this builder
         */
        public Builder maxEntryBytes(int v) { maxEntryBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#maxInflightAppends()}.
         *
         * @param v how many AppendEntries may be in flight to one follower: positive (default 32)
         * @return this builder
         */
        public Builder maxInflightAppends(int v) { maxInflightAppends = v; return this; }

        /**
         * Sets {@link RaftConfig#maxEntriesPerAppend()}.
         *
         * @param v the most entries in one AppendEntries: positive (default 512)
         * @return this builder
         */
        public Builder maxEntriesPerAppend(int v) { maxEntriesPerAppend = v; return this; }

        /**
         * Sets {@link RaftConfig#maxBytesPerAppend()}.
         *
         * @param v the most payload bytes in one AppendEntries: at least {@code maxEntryBytes} (default
         *          1 MiB)
         * @return this builder
         */
        public Builder maxBytesPerAppend(int v) { maxBytesPerAppend = v; return this; }

        /**
         * Sets {@link RaftConfig#proposalQueueBytes()}.
         *
         * @param v the proposal queue's size in bytes: a power of two, at least
         *          {@code 8 * (maxEntryBytes + 16)} (default 4 MiB)
         * @return this builder
         */
        public Builder proposalQueueBytes(int v) { proposalQueueBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#inboundQueueCapacity()}.
         *
         * @param v how many inbound messages may wait for the core: positive, rounded up to a power
         *          of two (default 1024)
         * @return this builder
         */
        public Builder inboundQueueCapacity(int v) { inboundQueueCapacity = v; return this; }

        /**
         * Sets {@link RaftConfig#maxPendingFutures()}.
         *
         * @param v how many proposals with futures may await their results at once: a power of two,
         *          at least 2 (default 65536)
         * @return this builder
         */
        public Builder maxPendingFutures(int v) { maxPendingFutures = v; return this; }

        /**
         * Sets {@link RaftConfig#proposalWaitMillis()}.
         *
         * @param v how long a proposer waits for room, in milliseconds: not negative, 0 to refuse at
         *          once (default 0)
         * @return this builder
         */
        public Builder proposalWaitMillis(long v) { proposalWaitMillis = v; return this; }

        /**
         * Sets {@link RaftConfig#batchEntries()}.
         *
         * @param v the most entries the log writer and the applier handle per batch: positive (default
         *          1024)
         * @return this builder
         */
        public Builder batchEntries(int v) { batchEntries = v; return this; }

        /**
         * Sets {@link RaftConfig#maxPendingReads()}.
         *
         * @param v how many linearizable reads may wait at once: a power of two, at least 2 (default
         *          1024)
         * @return this builder
         */
        public Builder maxPendingReads(int v) { maxPendingReads = v; return this; }

        /**
         * Sets {@link RaftConfig#leaseReads()}.
         *
         * @param v whether leaders serve reads under a lease; true needs {@code checkQuorum} (default false)
         * @return this builder
         */
        public Builder leaseReads(boolean v) { leaseReads = v; return this; }

        /**
         * Sets {@link RaftConfig#maxMembers()}.
         *
         * @param v the most other members a node ever replicates to: positive (default 16)
         * @return this builder
         */
        public Builder maxMembers(int v) { maxMembers = v; return this; }

        /**
         * Sets {@link RaftConfig#clockDriftBoundPercent()}.
         *
         * @param v the clock drift the lease allows for, in percent of the election timeout: in
         *          [0, 100) (default 10)
         * @return this builder
         */
        public Builder clockDriftBoundPercent(int v) { clockDriftBoundPercent = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotIntervalEntries()}.
         *
         * @param v applied entries that make a snapshot due: not negative, 0 for never on this account
         *          (default 100,000)
         * @return this builder
         */
        public Builder snapshotIntervalEntries(long v) { snapshotIntervalEntries = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotIntervalBytes()}.
         *
         * @param v applied payload bytes that make a snapshot due: not negative, 0 for never on this
         *          account (default 256 MiB)
         * @return this builder
         */
        public Builder snapshotIntervalBytes(long v) { snapshotIntervalBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotLogTailEntries()}.
         *
         * @param v entries the log keeps below a new snapshot: not negative (default 10,000)
         * @return this builder
         */
        public Builder snapshotLogTailEntries(long v) { snapshotLogTailEntries = v; return this; }

        /**
         * Sets {@link RaftConfig#followerRetentionEntries()}.
         *
         * @param v entries the leader may keep below a new snapshot for its followers: not negative
         *          (default 100,000)
         * @return this builder
         */
        public Builder followerRetentionEntries(long v) { followerRetentionEntries = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotSendBytesPerSecond()}.
         *
         * @param v snapshot bytes per second to one follower: not negative, 0 for unpaced (default 0)
         * @return this builder
         */
        public Builder snapshotSendBytesPerSecond(long v) { snapshotSendBytesPerSecond = v; return this; }

        /**
         * Sets {@link RaftConfig#catchUpBytesPerSecond()}.
         *
         * @param v payload bytes per second of entries read from storage for one follower: not negative,
         *          0 for unpaced (default 0)
         * @return this builder
         */
        public Builder catchUpBytesPerSecond(long v) { catchUpBytesPerSecond = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotChunkBytes()}.
         *
         * @param v bytes of snapshot data per chunk: positive, within the transport's frame limit
         *          (default 1 MiB)
         * @return this builder
         */
        public Builder snapshotChunkBytes(int v) { snapshotChunkBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#snapshotCheckpointBytes()}.
         *
         * @param v bytes received between checkpoints of a snapshot transfer: positive (default 8 MiB)
         * @return this builder
         */
        public Builder snapshotCheckpointBytes(long v) { snapshotCheckpointBytes = v; return this; }

        /**
         * Sets {@link RaftConfig#maxApplyBatchesInFlight()}.
         *
         * @param v how many batches a streaming state machine may hold at once: positive (default 4)
         * @return this builder
         */
        public Builder maxApplyBatchesInFlight(int v) { maxApplyBatchesInFlight = v; return this; }

        /**
         * Sets {@link RaftConfig#quiesceAfterMillis()}.
         *
         * @param v how long a group stays idle before it quiesces, in milliseconds: 0 for never
         *          (default), otherwise at least {@code electionTimeoutMillis}, with check-quorum on
         * @return this builder
         */
        public Builder quiesceAfterMillis(int v) { quiesceAfterMillis = v; return this; }

        /**
         * Sets {@link RaftConfig#startDormant()}.
         *
         * @param v whether nodes start dormant (default false; no effect without {@code quiesceAfterMillis})
         * @return this builder
         */
        public Builder startDormant(boolean v) { startDormant = v; return this; }

        /**
         * Checks every setting, alone and against the others, and builds the configuration.
         *
         * @return a new immutable configuration with these settings
         * @throws IllegalArgumentException naming the first setting that is out of range or
         *                                  inconsistent with another
         */
        public RaftConfig build() {
            positive("tickMillis", tickMillis);
            positive("heartbeatIntervalMillis", heartbeatIntervalMillis);
            positive("maxInflightAppends", maxInflightAppends);
            positive("maxEntriesPerAppend", maxEntriesPerAppend);
            positive("maxBytesPerAppend", maxBytesPerAppend);
            positive("inboundQueueCapacity", inboundQueueCapacity);
            positive("batchEntries", batchEntries);
            positive("maxEntryBytes", maxEntryBytes);
            positive("maxMembers", maxMembers);
            positive("snapshotChunkBytes", snapshotChunkBytes);
            if (snapshotCheckpointBytes <= 0) {
                throw new IllegalArgumentException("snapshotCheckpointBytes must be positive, got " + snapshotCheckpointBytes);
            }
            positive("maxApplyBatchesInFlight", maxApplyBatchesInFlight);
            if (followerRetentionEntries < 0 || snapshotSendBytesPerSecond < 0 || catchUpBytesPerSecond < 0) {
                throw new IllegalArgumentException("followerRetentionEntries (" + followerRetentionEntries
                        + "), snapshotSendBytesPerSecond (" + snapshotSendBytesPerSecond + ") and catchUpBytesPerSecond ("
                        + catchUpBytesPerSecond + ") must not be negative");
            }
            if (snapshotIntervalEntries < 0 || snapshotIntervalBytes < 0 || snapshotLogTailEntries < 0) {
                throw new IllegalArgumentException("snapshotIntervalEntries (" + snapshotIntervalEntries
                        + "), snapshotIntervalBytes (" + snapshotIntervalBytes + ") and snapshotLogTailEntries ("
                        + snapshotLogTailEntries + ") must not be negative");
            }
            powerOfTwo("ringCapacityEntries", ringCapacityEntries);
            powerOfTwo("proposalQueueBytes", proposalQueueBytes);
            powerOfTwo("maxPendingFutures", maxPendingFutures);
            powerOfTwo("maxPendingReads", maxPendingReads);
            if (heartbeatIntervalMillis < tickMillis) {
                throw new IllegalArgumentException("heartbeatIntervalMillis (" + heartbeatIntervalMillis
                        + ") must be at least tickMillis (" + tickMillis + ")");
            }
            if (electionTimeoutMillis < 2 * heartbeatIntervalMillis) {
                throw new IllegalArgumentException("electionTimeoutMillis (" + electionTimeoutMillis
                        + ") must be at least twice heartbeatIntervalMillis (" + heartbeatIntervalMillis + ")");
            }
            if (ringCapacityBytes < 2 * maxEntryBytes) {
                throw new IllegalArgumentException("ringCapacityBytes (" + ringCapacityBytes
                        + ") must hold at least two entries of maxEntryBytes (" + maxEntryBytes + ")");
            }
            // The proposal queue holds at least eight proposals of maxEntryBytes, so that one large
            // proposal never fills it; a record is the payload plus a 16-byte header.
            if (proposalQueueBytes / 8 < maxEntryBytes + 16) {
                throw new IllegalArgumentException("proposalQueueBytes (" + proposalQueueBytes
                        + ") must be at least 8 x (maxEntryBytes + 16) = " + 8L * (maxEntryBytes + 16)
                        + " to take a proposal of maxEntryBytes (" + maxEntryBytes + ")");
            }
            if (maxBytesPerAppend < maxEntryBytes) {
                throw new IllegalArgumentException("maxBytesPerAppend (" + maxBytesPerAppend
                        + ") must be at least maxEntryBytes (" + maxEntryBytes + ")");
            }
            if (clockDriftBoundPercent < 0 || clockDriftBoundPercent >= 100) {
                throw new IllegalArgumentException("clockDriftBoundPercent must be in [0, 100), got "
                        + clockDriftBoundPercent);
            }
            if (leaseReads && !checkQuorum) {
                throw new IllegalArgumentException("leaseReads needs checkQuorum: without it followers may "
                        + "elect another leader while the lease runs");
            }
            if (quiesceAfterMillis < 0 || (quiesceAfterMillis > 0 && quiesceAfterMillis < electionTimeoutMillis)) {
                throw new IllegalArgumentException("quiesceAfterMillis must be 0 (off) or at least "
                        + "electionTimeoutMillis (" + electionTimeoutMillis + "), got " + quiesceAfterMillis);
            }
            if (quiesceAfterMillis > 0 && !checkQuorum) {
                throw new IllegalArgumentException("quiesceAfterMillis needs checkQuorum: a quiesced follower "
                        + "refuses other candidates by check-quorum's rule, and a woken leader without a quorum must "
                        + "step down");
            }
            if (proposalWaitMillis < 0) {
                throw new IllegalArgumentException("proposalWaitMillis must not be negative, got "
                        + proposalWaitMillis);
            }
            return new RaftConfig(this);
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }

        private static void powerOfTwo(String name, int value) {
            if (value < 2 || Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException(name + " must be a power of two >= 2, got " + value);
            }
        }
    }
}
