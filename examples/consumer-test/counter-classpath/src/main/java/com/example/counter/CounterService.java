package com.example.counter;

import io.ringraft.api.Bytes;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A service on the class path, written as an application would: three RingRaft nodes in this JVM
 * talking over loopback TCP ({@link NettyTransport}), each with a {@link Counter}. It adds 1..100 at
 * the leader, forwards 10 more additions from a follower, reads the counter at a follower, prints
 * {@code counter <value>} and exits 0 (1 if the value is wrong). Commands carry an id, so that one
 * whose outcome is unknown (leadership moved under it) can be proposed again without counting twice.
 */
public final class CounterService {

    /**
     * A counter; a command is {@code id:i64 delta:i64} (big-endian) and adds its delta once per id. A
     * command's result and a read's answer are the counter.
     */
    static final class Counter implements StateMachine {
        private final Set<Long> applied = new HashSet<>();
        private long value;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                Bytes command = commands.payloadAt(i);
                if (applied.add(command.getLong(0))) {
                    value += command.getLong(Long.BYTES);
                }
                results.set(i, value);
            }
        }

        @Override
        public Object query(Bytes query) {
            return value;
        }
    }

    private CounterService() {
    }

    public static void main(String[] args) throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(100).electionTimeoutMillis(1000)
                .ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096).proposalQueueBytes(1 << 16)
                .build();
        int[] ports = freePorts(3);
        List<NettyTransport> transports = new ArrayList<>();
        List<RaftNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                long id = i + 1;
                NettyTransport.Builder transport = NettyTransport.builder().clusterId("counter").nodeId(id)
                        .bind("127.0.0.1", ports[i]);
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        transport.peer(j + 1, "127.0.0.1:" + ports[j]);
                    }
                }
                NettyTransport built = transport.build();
                transports.add(built);
                nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(new Counter())
                        .logStorage(new InMemoryLogStorage()).transport(built).build());
            }
            nodes.forEach(RaftNode::start);

            long expected = 0;
            long id = 0;
            for (long n = 1; n <= 100; n++) {
                expected += n;
                ByteBuffer command = ByteBuffer.allocate(2 * Long.BYTES).putLong(0, ++id).putLong(8, n);
                untilDecided(nodes, true, node -> node.propose(command));
            }
            for (long n = 1; n <= 10; n++) {
                expected += n;
                byte[] command = ByteBuffer.allocate(2 * Long.BYTES).putLong(++id).putLong(n).array();
                untilDecided(nodes, false, node -> node.forward(command)); // a follower sends it to the leader
            }
            Object value = untilDecided(nodes, false, node -> node.read(new byte[0]));
            System.out.println("counter " + value);
            if (!Long.valueOf(expected).equals(value)) {
                System.out.println("expected " + expected);
                System.exit(1);
            }
        } finally {
            nodes.forEach(RaftNode::close);
            transports.forEach(NettyTransport::close);
        }
    }

    /**
     * Runs {@code request} at the leader (or at a follower) until it succeeds: a request that failed
     * because leadership moved ({@link NotLeaderException}, {@link IndeterminateException}) is made
     * again at the node that leads (or follows) now, which the command ids make safe.
     */
    private static Object untilDecided(List<RaftNode> nodes, boolean atLeader,
                                       Function<RaftNode, CompletableFuture<Object>> request) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            RaftNode node = pick(nodes, atLeader, deadline);
            try {
                return request.apply(node).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                boolean moved = e.getCause() instanceof NotLeaderException || e.getCause() instanceof IndeterminateException;
                if (!moved || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** The leader (or a follower) once there is a leader; waits for one until {@code deadline}. */
    private static RaftNode pick(List<RaftNode> nodes, boolean leader, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            for (RaftNode node : nodes) {
                if (node.status().isLeader()) {
                    return leader ? node : nodes.get((nodes.indexOf(node) + 1) % nodes.size());
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    /** Ports free on the loopback interface a moment ago (another process may take one first: then rerun). */
    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return ports;
    }
}
