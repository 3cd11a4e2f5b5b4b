package io.ringraft.net.netty.messaging;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.client.RaftClient;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.MessagingDriver;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.net.netty.client.ClientServer;
import java.time.Duration;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A target "cluster" of three {@link RaftHost}s on loopback TCP (free ports), each with a replica of ledger group
 * {@link #TARGET} and a {@link ClientServer} serving it for messaging only, and, separately, a source host
 * (its own transport, no peers) with the one replica of ledger group {@link #SOURCE}, which reaches the target
 * through a {@link RaftClient} only ({@code MessageRoute.through(host, client)}). Each host stands for a process:
 * it shares nothing with the others but the loopback network. A target host can be killed (client server,
 * messaging group, host and transport closed).
 */
final class RemoteGroups implements AutoCloseable {

    static final long SOURCE = 1;
    static final long TARGET = 2;
    static final String CLUSTER_ID = "remote-messaging";
    static final OutboxSettings OUTBOX = new OutboxSettings(1_000, 800, 8, 16 << 10, Duration.ofMillis(20), 4);

    final NettyTransport[] transports = new NettyTransport[4];
    final RaftHost[] hosts = new RaftHost[4];
    final MessagingGroup[] targets = new MessagingGroup[4];
    final Ledger[] ledgers = new Ledger[4];
    final ClientServer[] servers = new ClientServer[4];
    private final MessagingDriver targetDriver = MessagingDriver.start("messaging-targets", Duration.ofMillis(5));

    NettyTransport sourceTransport;
    RaftHost sourceHost;
    MessagingGroup source;
    Ledger sourceLedger;
    RaftClient sourceClient;
    private MessagingDriver sourceDriver;

    private final OutboxSettings outbox;

    /** The three target hosts, with {@code config} for their groups and the tests' small outboxes. */
    RemoteGroups(RaftConfig config) {
        this(config, OUTBOX);
    }

    /** The three target hosts, with {@code config} for their groups and {@code outbox} for every outbox. */
    RemoteGroups(RaftConfig config, OutboxSettings outbox) {
        this.outbox = outbox;
        for (int id = 1; id <= 3; id++) {
            transports[id] = NettyTransport.builder().clusterId(CLUSTER_ID).nodeId(id).eventLoopThreads(1)
                    .bind("127.0.0.1", 0).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
        }
        for (int id = 1; id <= 3; id++) {
            for (int peer = 1; peer <= 3; peer++) {
                if (peer != id) {
                    transports[id].peer(peer, address(peer));
                }
            }
        }
        for (int id = 1; id <= 3; id++) {
            hosts[id] = RaftHost.builder().nodeId(id).transport(transports[id])
                    .logStorage(group -> new InMemoryLogStorage()).snapshotStore(group -> new InMemorySnapshotStore())
                    .groupConfig(config).workers(1).ioThreads(1).build();
            ledgers[id] = new Ledger();
            targets[id] = MessagingGroup.create(TARGET, ledgers[id], outbox);
            RaftNode node = hosts[id].createGroup(TARGET, Set.of(1L, 2L, 3L), targets[id].stateMachine());
            targets[id].attach(node, MessageRoute.through(hosts[id]), targetDriver);
            MessagingGroup served = targets[id];
            servers[id] = ClientServer.builder(transports[id]).messaging(g -> g == TARGET ? served : null).build();
        }
    }

    /** Elections after 1 s (no spurious ones on the loaded 2-core machine), no quiescence, snapshots as given. */
    static RaftConfig.Builder config() {
        return RaftConfig.hostBuilder().tickMillis(10).heartbeatIntervalMillis(50).electionTimeoutMillis(1000)
                .quiesceAfterMillis(0);
    }

    /** Starts the source process: its host, its one replica of {@link #SOURCE}, a client of the targets. */
    void startSource() {
        sourceTransport = NettyTransport.builder().clusterId(CLUSTER_ID).nodeId(10).eventLoopThreads(1)
                .bind("127.0.0.1", 0).build();
        sourceHost = RaftHost.builder().nodeId(10).transport(sourceTransport)
                .logStorage(group -> new InMemoryLogStorage()).groupConfig(config().build()).workers(1).ioThreads(1)
                .build();
        sourceClient = client();
        sourceDriver = MessagingDriver.start("messaging-source", Duration.ofMillis(5));
        sourceLedger = new Ledger();
        source = MessagingGroup.create(SOURCE, sourceLedger, outbox);
        RaftNode node = sourceHost.createGroup(SOURCE, Set.of(10L), source.stateMachine());
        source.attach(node, MessageRoute.through(sourceHost, sourceClient), sourceDriver);
    }

    RaftClient client() {
        return RaftClient.builder().seeds(seeds()).clusterId(CLUSTER_ID).timeout(Duration.ofSeconds(5))
                .attemptTimeout(Duration.ofMillis(500)).build();
    }

    String address(int id) {
        return "127.0.0.1:" + transports[id].localAddress().getPort();
    }

    String seeds() {
        StringJoiner seeds = new StringJoiner(",");
        for (int id = 1; id <= 3; id++) {
            seeds.add(id + "=" + address(id));
        }
        return seeds.toString();
    }

    /** The target host whose replica leads and serves, once there is one. */
    int targetLeader() {
        int[] leader = new int[1];
        await("a target leader", () -> {
            for (int id = 1; id <= 3; id++) {
                if (hosts[id] != null && targets[id].node().isLeader()) {
                    leader[0] = id;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    /** Kills target host {@code id} as a process dies: its client server, group, host and transport close. */
    void kill(int id) {
        servers[id].close();
        targets[id].close();
        hosts[id].close();
        transports[id].close();
        hosts[id] = null;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    @Override
    public void close() {
        if (sourceDriver != null) {
            sourceDriver.close();
        }
        targetDriver.close();
        if (sourceClient != null) {
            sourceClient.close();
        }
        if (sourceHost != null) {
            sourceHost.close();
            sourceTransport.close();
        }
        for (int id = 1; id <= 3; id++) {
            if (hosts[id] != null) {
                kill(id);
            }
        }
    }
}
