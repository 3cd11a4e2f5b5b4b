package io.ringraft.net.netty.client;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.RaftClient;
import io.ringraft.api.client.SessionStateMachine;
import io.ringraft.api.client.SessionWrapper;
import io.ringraft.api.client.StreamingSessionStateMachine;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.net.netty.NettyTransport;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Three RaftNodes on loopback TCP (free ports), each with a {@link CountingMachine} in a
 * {@link SessionStateMachine} and a {@link ClientServer} on its Raft port. A node can be killed (client
 * server, node and transport closed).
 */
final class ClientCluster implements AutoCloseable {

    static final String CLUSTER_ID = "client-test";
    static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30)
            .electionTimeoutMillis(300).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
            .maxEntryBytes(4096).maxBytesPerAppend(64 << 10).proposalQueueBytes(1 << 16).build();

    final int size;
    final NettyTransport[] transports;
    final RaftNode[] nodes;
    final CountingMachine[] machines;
    final ClientServer[] servers;
    final SessionWrapper[] sessions;
    /** The streams, if the cluster streams (their counting machines are {@link #machines}). */
    final StreamingCountingMachine[] streams;

    ClientCluster(int size) {
        this(size, 128);
    }

    ClientCluster(int size, int maxResultsPerSession) {
        this(size, maxResultsPerSession, Duration.ofSeconds(60));
    }

    ClientCluster(int size, int maxResultsPerSession, Duration sessionTimeout) {
        this(size, maxResultsPerSession, sessionTimeout, null);
    }

    /** A cluster whose client servers advertise {@code balancing} (null: none). */
    ClientCluster(int size, GroupBalancing balancing) {
        this(size, 128, Duration.ofSeconds(60), balancing);
    }

    ClientCluster(int size, int maxResultsPerSession, Duration sessionTimeout, GroupBalancing balancing) {
        this(size, maxResultsPerSession, sessionTimeout, balancing, false);
    }

    /** A cluster whose state machines are streams applied late, in {@link StreamingSessionStateMachine}s. */
    static ClientCluster streaming(int size) {
        return new ClientCluster(size, 128, Duration.ofSeconds(60), null, true);
    }

    private ClientCluster(int size, int maxResultsPerSession, Duration sessionTimeout, GroupBalancing balancing,
                          boolean streaming) {
        this.size = size;
        transports = new NettyTransport[size + 1];
        nodes = new RaftNode[size + 1];
        machines = new CountingMachine[size + 1];
        servers = new ClientServer[size + 1];
        sessions = new SessionWrapper[size + 1];
        streams = new StreamingCountingMachine[size + 1];
        long[] voters = new long[size];
        for (int id = 1; id <= size; id++) {
            voters[id - 1] = id;
            transports[id] = NettyTransport.builder().clusterId(CLUSTER_ID).nodeId(id).eventLoopThreads(1)
                    .bind("127.0.0.1", 0).maxFrameBytes(8192)
                    .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
        }
        for (int id = 1; id <= size; id++) {
            for (int peer = 1; peer <= size; peer++) {
                transports[id].peer(peer, address(peer));
            }
        }
        for (int id = 1; id <= size; id++) {
            RaftNode.Builder node = RaftNode.builder().nodeId(id).voters(voters).config(CONFIG)
                    .logStorage(new InMemoryLogStorage()).transport(transports[id]).randomSeed(id * 17L);
            SessionWrapper machine;
            if (streaming) {
                streams[id] = new StreamingCountingMachine();
                machines[id] = streams[id].counting;
                StreamingSessionStateMachine wrapper = StreamingSessionStateMachine.wrap(streams[id])
                        .maxResultsPerSession(maxResultsPerSession).sessionTimeout(sessionTimeout).build();
                node.streamingStateMachine(wrapper);
                machine = wrapper;
            } else {
                machines[id] = new CountingMachine();
                SessionStateMachine wrapper = SessionStateMachine.wrap(machines[id])
                        .maxResultsPerSession(maxResultsPerSession).sessionTimeout(sessionTimeout).build();
                node.stateMachine(wrapper);
                machine = wrapper;
            }
            nodes[id] = node.build();
            sessions[id] = machine;
            nodes[id].start();
            ClientServer.Builder server = ClientServer.builder(transports[id]).node(nodes[id], machine)
                    .maxInFlightPerConnection(256);
            if (balancing != null) {
                server.balancing(balancing);
            }
            servers[id] = server.build();
        }
    }

    String address(int id) {
        return "127.0.0.1:" + transports[id].localAddress().getPort();
    }

    /** {@return the seeds of every node, as {@code id=host:port,...}} */
    String seeds() {
        StringJoiner seeds = new StringJoiner(",");
        for (int id = 1; id <= size; id++) {
            seeds.add(id + "=" + address(id));
        }
        return seeds.toString();
    }

    RaftClient.Builder client() {
        return RaftClient.builder().seeds(seeds()).clusterId(CLUSTER_ID).timeout(Duration.ofSeconds(15))
                .attemptTimeout(Duration.ofMillis(500));
    }

    int awaitLeader() {
        int[] leader = new int[1];
        await("a leader", () -> {
            for (int id = 1; id <= size; id++) {
                if (nodes[id] != null) {
                    RaftStatus status = nodes[id].status();
                    if (status.isLeader() && !status.closed()) {
                        leader[0] = id;
                        return true;
                    }
                }
            }
            return false;
        });
        return leader[0];
    }

    void kill(int id) {
        servers[id].close();
        nodes[id].close();
        transports[id].close();
        nodes[id] = null;
        closeStream(id);
    }

    private void closeStream(int id) {
        if (streams[id] != null) {
            try {
                streams[id].close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public void close() {
        for (int id = 1; id <= size; id++) {
            if (nodes[id] != null) {
                servers[id].close();
                nodes[id].close();
                transports[id].close();
                closeStream(id);
            }
        }
    }
}
