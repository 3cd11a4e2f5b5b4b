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
    private final int snapshotChunkBytes;
    private final int maxApplyBatchesInFlight;

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
        this.snapshotChunkBytes = b.snapshotChunkBytes;
        this.maxApplyBatchesInFlight = b.maxApplyBatchesInFlight;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static RaftConfig defaults() {
        return builder().build();
    }

    /** Length of one engine tick; all timeouts are rounded to ticks. Default 10 ms. */
    public int tickMillis() { return tickMillis; }

    /** Base election timeout; the real one is random in [1x, 2x). Default 300 ms. */
    public int electionTimeoutMillis() { return electionTimeoutMillis; }

    /** Leader heartbeat interval. Default 50 ms. */
    public int heartbeatIntervalMillis() { return heartbeatIntervalMillis; }

    /** Pre-vote before raising the term. Default on. */
    public boolean preVote() { return preVote; }

    /** Leaders step down without a live quorum; voters ignore disruptive candidates. Default on. */
    public boolean checkQuorum() { return checkQuorum; }

    /** Entries the ring holds (a power of two). Default 16384. */
    public int ringCapacityEntries() { return ringCapacityEntries; }

    /** Payload bytes the ring holds. Default 32 MiB. */
    public int ringCapacityBytes() { return ringCapacityBytes; }

    /** Largest payload of one command. Default 256 KiB. */
    public int maxEntryBytes() { return maxEntryBytes; }

    /** AppendEntries in flight per follower (pipelining window). Default 32. */
    public int maxInflightAppends() { return maxInflightAppends; }

    /** Most entries in one AppendEntries. Default 512. */
    public int maxEntriesPerAppend() { return maxEntriesPerAppend; }

    /** Most payload bytes in one AppendEntries (at least one entry is always sent). Default 1 MiB. */
    public int maxBytesPerAppend() { return maxBytesPerAppend; }

    /** Bytes of proposals waiting for the core (a power of two). Default 4 MiB. */
    public int proposalQueueBytes() { return proposalQueueBytes; }

    /** Inbound messages waiting for the core. Default 1024. */
    public int inboundQueueCapacity() { return inboundQueueCapacity; }

    /** Proposals made with futures that may await their result at once (a power of two). Default 65536. */
    public int maxPendingFutures() { return maxPendingFutures; }

    /** How long a proposer waits for room before {@link RejectedException}; 0 rejects at once. Default 0. */
    public long proposalWaitMillis() { return proposalWaitMillis; }

    /** Entries the log writer and the applier handle per batch. Default 1024. */
    public int batchEntries() { return batchEntries; }

    /** Linearizable reads that may wait for their read index or their turn at once (a power of two). Default 1024. */
    public int maxPendingReads() { return maxPendingReads; }

    /**
     * Leader leases: a leader answers linearizable reads without a quorum round while its lease
     * runs. Safe only if no node's clock runs more than {@link #clockDriftBoundPercent()} slower or
     * faster than another's over an election timeout; needs check-quorum. Default off.
     */
    public boolean leaseReads() { return leaseReads; }

    /**
     * The most other members (voters and learners, current and past) a node ever replicates to:
     * one outbox and one replicator task each. Default 16.
     */
    public int maxMembers() { return maxMembers; }

    /** The clock drift the lease allows for, in percent of the election timeout. Default 10. */
    public int clockDriftBoundPercent() { return clockDriftBoundPercent; }

    /**
     * A node with a snapshot store takes a snapshot once this many entries were applied since the
     * last one (0: never on this account). Default 100,000.
     */
    public long snapshotIntervalEntries() { return snapshotIntervalEntries; }

    /**
     * A node with a snapshot store takes a snapshot once this many payload bytes were applied since
     * the last one (0: never on this account). Default 256 MiB.
     */
    public long snapshotIntervalBytes() { return snapshotIntervalBytes; }

    /**
     * Entries kept in the log below a new snapshot when the log is purged, so that a follower a little
     * behind catches up from the log rather than by a snapshot. Default 10,000.
     */
    public long snapshotLogTailEntries() { return snapshotLogTailEntries; }

    /**
     * Bytes of snapshot data per chunk sent to a follower (one chunk in flight per follower; must fit
     * the transport's frame limit). Default 1 MiB.
     */
    public int snapshotChunkBytes() { return snapshotChunkBytes; }

    /**
     * Batches of commands a {@code StreamingStateMachine} may hold at once, handed over and not yet
     * reported applied (each up to {@link #batchEntries()} entries, a view over the ring, no copy); the
     * node hands over no more until progress frees one. Unused with a synchronous state machine.
     * Default 4.
     */
    public int maxApplyBatchesInFlight() { return maxApplyBatchesInFlight; }

    /** The lease length in ticks (0 without leases): the election timeout less the drift bound. */
    public int leaseTicks() {
        if (!leaseReads) {
            return 0;
        }
        return Math.max(1, electionTimeoutTicks() * (100 - clockDriftBoundPercent) / 100 - 1);
    }

    /** Election timeout in ticks. */
    public int electionTimeoutTicks() {
        return Math.max(2, electionTimeoutMillis / tickMillis);
    }

    /** Heartbeat interval in ticks. */
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
                + snapshotIntervalBytes + "B tail=" + snapshotLogTailEntries + " chunk=" + snapshotChunkBytes + "B"
                + " applyBatchesInFlight=" + maxApplyBatchesInFlight + "]";
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
        private int snapshotChunkBytes = 1 << 20;
        private int maxApplyBatchesInFlight = 4;

        private Builder() {
        }

        public Builder tickMillis(int v) { tickMillis = v; return this; }
        public Builder electionTimeoutMillis(int v) { electionTimeoutMillis = v; return this; }
        public Builder heartbeatIntervalMillis(int v) { heartbeatIntervalMillis = v; return this; }
        public Builder preVote(boolean v) { preVote = v; return this; }
        public Builder checkQuorum(boolean v) { checkQuorum = v; return this; }
        public Builder ringCapacityEntries(int v) { ringCapacityEntries = v; return this; }
        public Builder ringCapacityBytes(int v) { ringCapacityBytes = v; return this; }
        public Builder maxEntryBytes(int v) { maxEntryBytes = v; return this; }
        public Builder maxInflightAppends(int v) { maxInflightAppends = v; return this; }
        public Builder maxEntriesPerAppend(int v) { maxEntriesPerAppend = v; return this; }
        public Builder maxBytesPerAppend(int v) { maxBytesPerAppend = v; return this; }
        public Builder proposalQueueBytes(int v) { proposalQueueBytes = v; return this; }
        public Builder inboundQueueCapacity(int v) { inboundQueueCapacity = v; return this; }
        public Builder maxPendingFutures(int v) { maxPendingFutures = v; return this; }
        public Builder proposalWaitMillis(long v) { proposalWaitMillis = v; return this; }
        public Builder batchEntries(int v) { batchEntries = v; return this; }
        public Builder maxPendingReads(int v) { maxPendingReads = v; return this; }
        public Builder leaseReads(boolean v) { leaseReads = v; return this; }
        public Builder maxMembers(int v) { maxMembers = v; return this; }
        public Builder clockDriftBoundPercent(int v) { clockDriftBoundPercent = v; return this; }
        public Builder snapshotIntervalEntries(long v) { snapshotIntervalEntries = v; return this; }
        public Builder snapshotIntervalBytes(long v) { snapshotIntervalBytes = v; return this; }
        public Builder snapshotLogTailEntries(long v) { snapshotLogTailEntries = v; return this; }
        public Builder snapshotChunkBytes(int v) { snapshotChunkBytes = v; return this; }
        public Builder maxApplyBatchesInFlight(int v) { maxApplyBatchesInFlight = v; return this; }

        /**
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
            positive("maxApplyBatchesInFlight", maxApplyBatchesInFlight);
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
