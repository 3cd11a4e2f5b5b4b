package io.ringraft.examples.bench;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.storage.GroupDirectories;
import io.ringraft.storage.wal.SharedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * One host of {@link HostBenchmark}: its {@link RaftHost}, its transport when it owns one (Netty), its
 * storage, and its member of each group (by group index; group {@code i} has id {@code i + 1}), each
 * with a {@link HashingStateMachine}. Every group's voters are hosts 1, 2 and 3. Not thread-safe: the
 * benchmark's main thread creates and closes it.
 */
final class HostSide implements AutoCloseable {

    static final Set<Long> VOTERS = Set.of(1L, 2L, 3L);
    static final long CLUSTER_ID = 0x40573BE7L;

    final long id;
    final RaftHost host;
    final RaftNode[] members;
    final HashingStateMachine[] stateMachines;
    private final NettyTransport netty;
    private final SharedLog wal;
    private final ProposalListener listener;
    private volatile boolean closed;

    /**
     * @param transport the shared transport (a {@code LocalNetwork}), or null to build this host's own
     *                  {@link NettyTransport} on {@code ports[id - 1]} with the other ports as peers
     * @param dataDir   this host's data directory (unused with in-memory storage)
     */
    HostSide(long id, HostBenchmark.Options options, RaftTransportFactory transport, int[] ports, Path dataDir,
             ProposalListener listener, long budgetBytes) throws IOException {
        this.id = id;
        this.listener = listener;
        this.members = new RaftNode[options.groups()];
        this.stateMachines = new HashingStateMachine[options.groups()];
        NettyTransport ownTransport = null;
        SharedLog sharedLog = null;
        RaftHost built = null;
        try {
            if (transport == null) {
                NettyTransport.Builder tb = NettyTransport.builder().clusterId("ringraft-hostbench").nodeId(id)
                        .bind("127.0.0.1", ports[(int) id - 1]);
                String marks = System.getProperty("hostbench.waterMarks"); // "low,high" in bytes, for experiments
                if (marks != null) {
                    String[] lowHigh = marks.split(",");
                    tb.writeBufferWaterMarks(Integer.parseInt(lowHigh[0].trim()), Integer.parseInt(lowHigh[1].trim()));
                }
                for (int j = 1; j <= 3; j++) {
                    if (j != id) {
                        tb.peer(j, "127.0.0.1:" + ports[j - 1]);
                    }
                }
                ownTransport = tb.build();
                transport = ownTransport;
            }
            LogStorageFactory logs;
            switch (options.storage()) {
                case SHAREDLOG -> {
                    Files.createDirectories(dataDir);
                    sharedLog = SharedLog.builder(dataDir.resolve("wal")).clusterId(CLUSTER_ID).nodeId(id).build();
                    sharedLog.open();
                    logs = sharedLog.asFactory();
                }
                case DIRS -> logs = new GroupDirectories(dataDir.resolve("groups"), CLUSTER_ID, id);
                case MEMORY -> logs = groupId -> new InMemoryLogStorage();
                default -> throw new IllegalArgumentException("storage " + options.storage());
            }
            built = RaftHost.builder().nodeId(id).transport(transport).logStorage(logs).workers(options.workers())
                    .ioThreads(options.ioThreads()).memoryBudgetBytes(budgetBytes)
                    .maxGroups(Math.max(1, options.groups()))
                    .batchAnswers(!"false".equals(System.getProperty("hostbench.batchAnswers"))).build();
        } catch (IOException | RuntimeException e) {
            closeQuietly(built, ownTransport, sharedLog);
            throw e;
        }
        this.netty = ownTransport;
        this.wal = sharedLog;
        this.host = built;
    }

    /** Creates this host's member of group {@code index} (id {@code index + 1}). */
    void create(int index) {
        HashingStateMachine sm = new HashingStateMachine();
        stateMachines[index] = sm;
        members[index] = host.newGroup(index + 1L).voters(VOTERS).stateMachine(sm).proposalListener(listener)
                .create();
    }

    /**
     * Asks for a leader in group {@code index} if this host is the one meant to: host {@code index % 3 + 1}.
     * Host groups start dormant ({@code RaftConfig.startDormant}): a group elects when it is first used, and
     * the benchmark uses each group at once. One replica per group asks, so its election is not contested
     * and leaders start spread evenly.
     */
    void demandIfDesignated(int index) {
        if (members[index] != null && id == index % 3 + 1) {
            members[index].demandLeader();
        }
    }

    /** How many of this host's members are ready leaders now ({@link RaftNode#isLeader()}). */
    int leaders() {
        if (closed) {
            return 0;
        }
        int n = 0;
        for (RaftNode member : members) {
            if (member != null && member.isLeader()) {
                n++;
            }
        }
        return n;
    }

    /** Entries applied by this host's members, summed over its groups. */
    long appliedEntries() {
        long sum = 0;
        for (HashingStateMachine sm : stateMachines) {
            if (sm != null) {
                sum += sm.count();
            }
        }
        return sum;
    }

    /** Frames this host's own Netty transport sent so far, or -1 without one (in-process network). */
    long framesSent() {
        return netty == null ? -1 : netty.stats().framesSent();
    }

    /** The number of {@link #counters()}. */
    static final int COUNTERS = 6;

    /**
     * This host's counters so far: group turns its workers ran, turns that found no work, IO cycles, group
     * writes in them ({@link io.ringraft.api.HostStatus}), and its Netty transport's flushes (-1 without one).
     */
    long[] counters() {
        io.ringraft.api.HostStatus st = host.status();
        return new long[] {st.turns(), st.idleTurns(), st.ioCycles(), st.ioGroupWrites(),
            netty == null ? -1 : netty.stats().flushes(), st.taskRuns()};
    }

    /** Names of {@link #churn()}'s figures, in order. */
    static final String[] CHURN = {"terms", "droppedIn", "droppedOut", "refusedUnwritable", "refusedNotConnected",
        "inboundDroppedFull", "inboundDroppedNoNode", "inboundPauses"};

    /**
     * Signs of election churn and lost messages so far (allocates a status per group: between phases only):
     * the sum of this host's members' terms, the messages its nodes dropped inbound and outbound
     * ({@code RaftStatus.droppedInbound/droppedOutbound}), and its Netty transport's refused sends and
     * dropped or paused inbound messages (0 with the in-process network).
     */
    long[] churn() {
        long[] c = new long[CHURN.length];
        if (closed) {
            return c;
        }
        for (RaftNode member : members) {
            if (member != null) {
                io.ringraft.api.RaftStatus st = member.status();
                c[0] += st.term();
                c[1] += st.droppedInbound();
                c[2] += st.droppedOutbound();
            }
        }
        if (netty != null) {
            io.ringraft.net.netty.TransportStats t = netty.stats();
            c[3] = t.sendsRefusedUnwritable();
            c[4] = t.sendsRefusedNotConnected();
            c[5] = t.inboundDroppedFull();
            c[6] = t.inboundDroppedNoNode();
            c[7] = t.inboundPauses();
        }
        return c;
    }

    boolean isClosed() {
        return closed;
    }

    /** The network side of a kill: closes this host's own transport (its connections drop at once). */
    void closeTransport() {
        if (netty != null) {
            netty.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(host, netty, wal);
    }

    private static void closeQuietly(RaftHost host, NettyTransport netty, SharedLog wal) {
        if (host != null) {
            host.close();
        }
        if (netty != null) {
            netty.close();
        }
        if (wal != null) {
            try {
                wal.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
