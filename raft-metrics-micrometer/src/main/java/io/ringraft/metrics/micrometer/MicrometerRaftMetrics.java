package io.ringraft.metrics.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.ringraft.api.FollowerStatus;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.spi.RaftMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A {@link RaftMetrics} that records one node's measurements in a Micrometer {@link MeterRegistry}:
 * timers with histogram buckets from tens of microseconds to seconds (commit, fsync, apply) and to
 * minutes (snapshots), batch-size distributions, counters (rejections by reason, leader changes,
 * messages) and gauges polled from the node's status (role, term, leader, every progress pointer, ring and
 * queue fill, and on the leader each follower's match index and lag). Every meter is tagged
 * {@code group.id} and {@code node.id} (per-peer ones also {@code peer.id}), plus the extra tags given;
 * the names, units and meaning of each are in {@code docs/operations.md}, "Metrics".
 *
 * <pre>{@code
 * RaftNode node = RaftNode.builder().nodeId(1).voters(1, 2, 3)
 *         .metrics(new MicrometerRaftMetrics(registry))   // one instance per node
 *         ...build();
 * }</pre>
 *
 * <p><b>Threads.</b> Built by the application on any thread. The node calls {@link #bind} (registers the
 * node's meters) on the thread that starts it, {@link #peerAdded} (registers a peer's meters, taking
 * the registry's short registration lock) on its core thread, the event methods on its task threads (each
 * is a counter increment or a timer/distribution record: no lock, no allocation once a meter exists), and
 * {@link #close} (removes every meter it registered) on the thread that closes it. Gauges are read by
 * the registry's publishing or scraping thread; they poll the node's status at most once per
 * {@value #STATUS_CACHE_MILLIS} ms (one scrape reads one consistent status, and a scrape costs one status
 * allocation, not one per gauge).
 *
 * <p>One instance serves one node: binding it to a second node throws {@link IllegalStateException}.
 * Meters of a closed node are removed, so a node rebuilt later with the same ids (a restart in the same
 * process) registers fresh ones.
 */
public final class MicrometerRaftMetrics implements RaftMetrics {

    /** How long gauges reuse one status of the node. */
    static final long STATUS_CACHE_MILLIS = 100;

    /** Histogram buckets (service level objectives) of the per-batch latencies: 10 µs to 10 s. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    };
    /** Histogram buckets of snapshot durations: 10 ms to 10 min. */
    private static final Duration[] SNAPSHOT_BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(5), Duration.ofMinutes(10),
    };
    /** Buckets of entries per batch: powers of two up to the largest sensible {@code batchEntries}. */
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
    /** Buckets of snapshot sizes: 1 KiB to 16 GiB. */
    private static final double[] SIZE_BUCKETS = {1 << 10, 64 << 10, 1 << 20, 16 << 20, 256 << 20, 1L << 30,
        4L << 30, 16L << 30};

    private final MeterRegistry registry;
    private final Tags extraTags;
    /** The node's meters, set by {@link #bind}; the task threads start after it (a thread start or the node's start). */
    private volatile Bound bound;

    /**
     * Metrics for one node in {@code registry}.
     *
     * @param registry where the meters go
     */
    public MicrometerRaftMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * Metrics for one node in {@code registry}, each meter with {@code extraTags} besides the node's ids.
     *
     * @param registry  where the meters go
     * @param extraTags tags for every meter (a cluster name, for instance)
     */
    public MicrometerRaftMetrics(MeterRegistry registry, Iterable<Tag> extraTags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.extraTags = Tags.of(Objects.requireNonNull(extraTags, "extraTags"));
    }

    @Override
    public synchronized void bind(long groupId, long nodeId, RaftConfig config, Supplier<RaftStatus> status) {
        if (bound != null) {
            throw new IllegalStateException("these metrics already serve node " + bound.nodeId + " of group "
                    + bound.groupId + "; give node " + nodeId + " of group " + groupId
                    + " its own MicrometerRaftMetrics");
        }
        bound = new Bound(groupId, nodeId, config, status);
    }

    @Override
    public synchronized void peerAdded(long peerId) {
        Bound b = bound;
        if (b != null) {
            b.addPeer(peerId);
        }
    }

    @Override
    public synchronized void close() {
        Bound b = bound;
        if (b != null) {
            b.removeAll();
        }
    }

    @Override
    public void proposalsCommitted(long latencyNanos, int proposals) {
        Bound b = bound;
        b.commitLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        b.committed.increment(proposals);
    }

    @Override
    public void proposalRejected(Rejection reason) {
        bound.rejected[reason.ordinal()].increment();
    }

    @Override
    public void becameLeader(long term) {
        bound.elected.increment();
    }

    @Override
    public void steppedDown(long term, StepDown reason) {
        bound.steppedDown[reason.ordinal()].increment();
    }

    @Override
    public void messagesReceived(int count) {
        bound.received.increment(count);
    }

    @Override
    public void messagesSent(long peerId, int sent, int refused) {
        Peer peer = bound.peer(peerId);
        if (peer == null) {
            return; // not announced (cannot happen: the node announces every peer before its replicator runs)
        }
        if (sent > 0) {
            peer.sent.increment(sent);
        }
        if (refused > 0) {
            peer.refused.increment(refused);
        }
    }

    @Override
    public void logFlushed(long flushNanos, int entries) {
        Bound b = bound;
        b.flush.record(flushNanos, TimeUnit.NANOSECONDS);
        b.flushEntries.record(entries);
    }

    @Override
    public void entriesApplied(long applyNanos, int entries) {
        Bound b = bound;
        b.apply.record(applyNanos, TimeUnit.NANOSECONDS);
        b.applyEntries.record(entries);
    }

    @Override
    public void snapshotInstalled(long nanos, long bytes) {
        Bound b = bound;
        b.snapshotInstall.record(nanos, TimeUnit.NANOSECONDS);
        b.snapshotInstallSize.record(bytes);
    }

    @Override
    public void snapshotTaken(long nanos, long bytes) {
        Bound b = bound;
        b.snapshotTake.record(nanos, TimeUnit.NANOSECONDS);
        b.snapshotTakeSize.record(bytes);
    }

    @Override
    public String toString() {
        Bound b = bound;
        return b == null ? "MicrometerRaftMetrics[unbound]"
                : "MicrometerRaftMetrics[group " + b.groupId + " node " + b.nodeId + "]";
    }

    /** A follower's meters: messages to it, and its match index and lag while this node leads. */
    private static final class Peer {
        final long id;
        final Counter sent;
        final Counter refused;

        Peer(long id, Counter sent, Counter refused) {
            this.id = id;
            this.sent = sent;
            this.refused = refused;
        }
    }

    /** Everything registered for the bound node. */
    private final class Bound {
        final long groupId;
        final long nodeId;
        final Tags tags;
        final Supplier<RaftStatus> source;
        final List<Meter> meters = new ArrayList<>();
        /** Per peer, copy-on-write (at most {@code maxMembers} of them): read by the replicator threads. */
        volatile Peer[] peers = new Peer[0];
        private volatile CachedStatus cached;

        final Timer commitLatency;
        final Counter committed;
        final Counter[] rejected = new Counter[Rejection.values().length];
        final Counter elected;
        final Counter[] steppedDown = new Counter[StepDown.values().length];
        final Counter received;
        final Timer flush;
        final DistributionSummary flushEntries;
        final Timer apply;
        final DistributionSummary applyEntries;
        final Timer snapshotTake;
        final DistributionSummary snapshotTakeSize;
        final Timer snapshotInstall;
        final DistributionSummary snapshotInstallSize;

        Bound(long groupId, long nodeId, RaftConfig config, Supplier<RaftStatus> source) {
            this.groupId = groupId;
            this.nodeId = nodeId;
            this.source = source;
            this.tags = extraTags.and("group.id", Long.toString(groupId), "node.id", Long.toString(nodeId));

            commitLatency = add(latency("ringraft.commit.latency",
                    "leader: from placing a batch of this node's proposals in the ring to the commit index passing it",
                    LATENCY_BUCKETS));
            committed = add(Counter.builder("ringraft.proposals.committed")
                    .description("leader: proposals made on this node that committed").tags(tags).register(registry));
            for (Rejection reason : Rejection.values()) {
                rejected[reason.ordinal()] = add(Counter.builder("ringraft.proposals.rejected")
                        .description("proposals refused before entering the log, by reason").tags(tags)
                        .tag("reason", lower(reason)).register(registry));
            }
            elected = add(Counter.builder("ringraft.leader.elected").description("times this node became leader")
                    .tags(tags).register(registry));
            for (StepDown reason : StepDown.values()) {
                steppedDown[reason.ordinal()] = add(Counter.builder("ringraft.leader.stepdowns")
                        .description("times this node stopped leading, by reason").tags(tags)
                        .tag("reason", lower(reason)).register(registry));
            }
            received = add(Counter.builder("ringraft.messages.received")
                    .description("Raft messages the core took from its inbound queue").tags(tags).register(registry));
            add(FunctionCounter.builder("ringraft.messages.dropped", this, b -> b.status().droppedInbound())
                    .description("messages dropped: inbound queue full or node stopped (inbound), a replicator's "
                            + "outbox full (outbound)").tags(tags).tag("direction", "inbound").register(registry));
            add(FunctionCounter.builder("ringraft.messages.dropped", this, b -> b.status().droppedOutbound())
                    .description("messages dropped: inbound queue full or node stopped (inbound), a replicator's "
                            + "outbox full (outbound)").tags(tags).tag("direction", "outbound").register(registry));
            flush = add(latency("ringraft.log.flush", "log writer: LogStorage.flush (the fsync) per batch",
                    LATENCY_BUCKETS));
            flushEntries = add(batch("ringraft.log.flush.entries", "log writer: entries made durable per flush"));
            apply = add(latency("ringraft.apply", "applier: time to apply a batch of committed entries",
                    LATENCY_BUCKETS));
            applyEntries = add(batch("ringraft.apply.entries", "applier: entries per applied batch"));
            snapshotTake = add(latency("ringraft.snapshot.take",
                    "snapshot task: writing and committing a snapshot of the state machine", SNAPSHOT_BUCKETS));
            snapshotTakeSize = add(size("ringraft.snapshot.take.size", "size of the snapshots taken"));
            snapshotInstall = add(latency("ringraft.snapshot.install",
                    "follower: from the first chunk of the leader's snapshot to its restore", SNAPSHOT_BUCKETS));
            snapshotInstallSize = add(size("ringraft.snapshot.install.size", "size of the snapshots installed"));

            for (Role role : Role.values()) {
                add(Gauge.builder("ringraft.role", this, b -> b.status().role() == role ? 1 : 0)
                        .description("1 for the role this node is in, 0 for the others").tags(tags)
                        .tag("role", lower(role)).register(registry));
            }
            gauge("ringraft.term", "current term", s -> s.term());
            gauge("ringraft.leader.id", "the leader this node knows of (itself if leader), 0 if none",
                    s -> s.leaderId());
            pointer("accepted", s -> s.lastLogId().index());
            pointer("submitted", RaftStatus::submittedIndex);
            pointer("durable", RaftStatus::durableIndex);
            pointer("committed", RaftStatus::committedIndex);
            pointer("applied", RaftStatus::appliedIndex);
            pointer("snapshot", RaftStatus::snapshotIndex);
            pointer("purged", RaftStatus::purgedIndex);
            add(Gauge.builder("ringraft.io.seq", this, b -> b.status().acceptedSeq())
                    .description("IoId sequence of the storage state: accepted by the core, flushed by the log writer")
                    .tags(tags).tag("pointer", "accepted").register(registry));
            add(Gauge.builder("ringraft.io.seq", this, b -> b.status().flushedSeq())
                    .description("IoId sequence of the storage state: accepted by the core, flushed by the log writer")
                    .tags(tags).tag("pointer", "flushed").register(registry));
            gauge("ringraft.ring.entries", "entries in the ring the core may not reclaim yet",
                    s -> s.ringEntries());
            double ringCapacity = config.ringCapacityEntries();
            double proposalCapacity = config.proposalQueueBytes();
            double inboundCapacity = config.inboundQueueCapacity();
            gauge("ringraft.ring.fill", "ring entries held over ringCapacityEntries (0..1)",
                    s -> s.ringEntries() / ringCapacity);
            gauge("ringraft.queue.proposals.fill", "proposal queue bytes waiting over proposalQueueBytes (0..1)",
                    s -> s.proposalQueueBytes() / proposalCapacity);
            gauge("ringraft.queue.inbound.fill", "inbound messages waiting over inboundQueueCapacity (0..1)",
                    s -> s.inboundQueueSize() / inboundCapacity);
        }

        private Timer latency(String name, String description, Duration[] buckets) {
            return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets)
                    .minimumExpectedValue(buckets[0]).maximumExpectedValue(buckets[buckets.length - 1])
                    .register(registry);
        }

        private DistributionSummary batch(String name, String description) {
            return DistributionSummary.builder(name).description(description).baseUnit("entries").tags(tags)
                    .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        }

        private DistributionSummary size(String name, String description) {
            return DistributionSummary.builder(name).description(description).baseUnit("bytes").tags(tags)
                    .serviceLevelObjectives(SIZE_BUCKETS).register(registry);
        }

        private void gauge(String name, String description, ToDoubleFunction<RaftStatus> value) {
            add(Gauge.builder(name, this, b -> value.applyAsDouble(b.status())).description(description).tags(tags)
                    .register(registry));
        }

        private void pointer(String pointer, ToDoubleFunction<RaftStatus> value) {
            add(Gauge.builder("ringraft.log.index", this, b -> value.applyAsDouble(b.status()))
                    .description("a progress pointer's log index").tags(tags).tag("pointer", pointer)
                    .register(registry));
        }

        private <M extends Meter> M add(M meter) {
            meters.add(meter);
            return meter;
        }

        /** The node's status, polled at most once per {@link #STATUS_CACHE_MILLIS}. */
        RaftStatus status() {
            long now = System.nanoTime();
            CachedStatus c = cached;
            if (c == null || now - c.readAt > TimeUnit.MILLISECONDS.toNanos(STATUS_CACHE_MILLIS)) {
                c = new CachedStatus(source.get(), now);
                cached = c;
            }
            return c.status;
        }

        void addPeer(long peerId) {
            if (peer(peerId) != null) {
                return;
            }
            Tags peerTags = tags.and("peer.id", Long.toString(peerId));
            Peer peer = new Peer(peerId,
                    add(Counter.builder("ringraft.messages.sent").description("messages the transport took, per peer")
                            .tags(peerTags).register(registry)),
                    add(Counter.builder("ringraft.messages.refused")
                            .description("messages the transport refused (Raft resends), per peer").tags(peerTags)
                            .register(registry)));
            add(Gauge.builder("ringraft.follower.match.index", this, b -> b.followerValue(peerId, false))
                    .description("leader: the follower's match index (NaN on other roles)").tags(peerTags)
                    .register(registry));
            add(Gauge.builder("ringraft.follower.lag", this, b -> b.followerValue(peerId, true))
                    .description("leader: entries the follower lacks (NaN on other roles)").baseUnit("entries")
                    .tags(peerTags).register(registry));
            Peer[] next = java.util.Arrays.copyOf(peers, peers.length + 1);
            next[next.length - 1] = peer;
            peers = next;
        }

        Peer peer(long peerId) {
            for (Peer peer : peers) {
                if (peer.id == peerId) {
                    return peer;
                }
            }
            return null;
        }

        double followerValue(long peerId, boolean lag) {
            FollowerStatus follower = status().follower(peerId);
            if (follower == null) {
                return Double.NaN;
            }
            return lag ? follower.lag() : follower.matchIndex();
        }

        void removeAll() {
            for (Meter meter : meters) {
                registry.remove(meter);
            }
            meters.clear();
        }
    }

    /** One status of the node and when it was read. */
    private record CachedStatus(RaftStatus status, long readAt) {
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
