package io.ringraft.net.netty;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A cluster of RaftNodes, each in its own "process": its own {@link NettyTransport} on a loopback
 * port, its own {@link RestartableStorage} and state machine. A node can be killed (node and
 * transport closed, connections drop) and restarted on the same port over the same storage.
 */
final class TestCluster implements AutoCloseable {

    static final String CLUSTER_ID = "netty-test";

    static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30)
            .electionTimeoutMillis(300).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
            .maxEntryBytes(4096).maxBytesPerAppend(64 << 10).proposalQueueBytes(1 << 16).build();

    private final int size;
    private final UnaryOperator<NettyTransport.Builder> customize;
    private final long[] voters;
    private final int[] ports;
    private final NettyTransport[] transports;
    private final RaftNode[] nodes;
    private final RecordingStateMachine[] machines;
    private final RestartableStorage[] storages;

    TestCluster(int size, UnaryOperator<NettyTransport.Builder> customize) {
        this.size = size;
        this.customize = customize;
        this.voters = new long[size];
        for (int i = 0; i < size; i++) {
            voters[i] = i + 1;
        }
        this.ports = new int[size + 1];
        this.transports = new NettyTransport[size + 1];
        this.nodes = new RaftNode[size + 1];
        this.machines = new RecordingStateMachine[size + 1];
        this.storages = new RestartableStorage[size + 1];
    }

    /** Binds every transport (free ports), then tells each the others' addresses and starts the nodes. */
    TestCluster start() {
        for (int id = 1; id <= size; id++) {
            transports[id] = transportBuilder(id).bind("127.0.0.1", 0).build();
            ports[id] = transports[id].localAddress().getPort();
            storages[id] = new RestartableStorage();
        }
        for (int id = 1; id <= size; id++) {
            for (int peer = 1; peer <= size; peer++) {
                transports[id].peer(peer, "127.0.0.1:" + ports[peer]);
            }
        }
        for (int id = 1; id <= size; id++) {
            startNode(id);
        }
        return this;
    }

    NettyTransport.Builder transportBuilder(long id) {
        NettyTransport.Builder builder = NettyTransport.builder().clusterId(CLUSTER_ID).nodeId(id)
                .eventLoopThreads(1).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
        return customize.apply(builder);
    }

    private void startNode(int id) {
        machines[id] = new RecordingStateMachine();
        nodes[id] = RaftNode.builder().nodeId(id).voters(voters).config(CONFIG).stateMachine(machines[id])
                .logStorage(storages[id]).transport(transports[id]).randomSeed(id * 31L).build();
        nodes[id].start();
    }

    /** Stops node {@code id} and its transport, as if its process died. */
    void kill(int id) {
        nodes[id].close();
        transports[id].close();
        nodes[id] = null;
    }

    /** Starts node {@code id} again on its old port, over the storage it had. */
    void restart(int id) {
        NettyTransport.Builder builder = transportBuilder(id).bind("127.0.0.1", ports[id]);
        for (int peer = 1; peer <= size; peer++) {
            builder.peer(peer, "127.0.0.1:" + ports[peer]);
        }
        transports[id] = builder.build();
        startNode(id);
    }

    NettyTransport transport(int id) {
        return transports[id];
    }

    RecordingStateMachine machine(int id) {
        return machines[id];
    }

    RaftNode node(int id) {
        return nodes[id];
    }

    /** The id of the live node that leads, once there is one (with a term all live nodes agree on). */
    int awaitLeader() {
        int[] leader = new int[1];
        Await.until("a leader is elected", () -> {
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

    /** Proposes {@code command} at the leader, retrying at the new leader if leadership moves. */
    void propose(String command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Throwable last = null;
        while (System.nanoTime() - deadline < 0) {
            RaftNode leader = nodes[awaitLeader()];
            if (leader == null) {
                continue;
            }
            try {
                leader.propose(command.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                last = e; // not leader any more, or indeterminate: the command is unique, try again
            }
        }
        throw new AssertionError("could not commit " + command, last);
    }

    /** Waits until every live node has applied the same commands as the leader's state machine, which includes {@code expected}. */
    void awaitConverged(List<String> expected) {
        Await.until("all live nodes applied " + expected.size() + " commands identically", () -> {
            List<String> reference = null;
            for (int id = 1; id <= size; id++) {
                if (nodes[id] == null) {
                    continue;
                }
                List<String> applied = new ArrayList<>(machines[id].applied);
                if (reference == null) {
                    reference = applied;
                } else if (!reference.equals(applied)) {
                    return false;
                }
            }
            return reference != null && reference.containsAll(expected);
        });
    }

    @Override
    public void close() {
        for (int id = 1; id <= size; id++) {
            if (nodes[id] != null) {
                nodes[id].close();
            }
        }
        for (int id = 1; id <= size; id++) {
            if (transports[id] != null) {
                transports[id].close();
            }
            if (storages[id] != null) {
                storages[id].destroy();
            }
        }
    }
}
