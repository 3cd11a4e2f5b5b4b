package com.example.ledger;

import io.ringraft.api.Bytes;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.storage.SegmentedLogStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A service written as a named module: three RingRaft nodes in this JVM ({@link LocalNetwork}), each
 * with a {@link Ledger}, a durable {@link SegmentedLogStorage} under the directory given as the
 * first argument, and all its tasks on one thread. It deposits into a few accounts, stops every node, starts them again from their
 * logs, and checks that the balances read after the restart are those before. Prints
 * {@code ledger <deposits> balance <total>} and exits 0 (1 if a balance differs). Deposits carry an
 * id, so that one whose outcome is unknown (leadership moved under it) can be proposed again without
 * counting twice.
 */
public final class LedgerService {

    /**
     * Account balances; a command is {@code id:i64 account:i64 amount:i64} (big-endian) and deposits
     * once per id, a query is {@code account:i64}.
     */
    static final class Ledger implements StateMachine {
        private final Map<Long, Long> balances = new HashMap<>();
        private final Set<Long> applied = new HashSet<>();

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                Bytes command = commands.payloadAt(i);
                long account = command.getLong(Long.BYTES);
                if (applied.add(command.getLong(0))) {
                    balances.merge(account, command.getLong(2 * Long.BYTES), Long::sum);
                }
                results.set(i, balances.getOrDefault(account, 0L));
            }
        }

        @Override
        public Object query(Bytes query) {
            return balances.getOrDefault(query.getLong(0), 0L);
        }
    }

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(100)
            .electionTimeoutMillis(1000).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16).build();
    private static final int DEPOSITS = 60;
    private static final int ACCOUNTS = 3;

    private LedgerService() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LedgerService <data directory>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long[] before = new long[ACCOUNTS];
        List<RaftNode> nodes = start(dir);
        try {
            for (int i = 0; i < DEPOSITS; i++) {
                ByteBuffer command = ByteBuffer.allocate(3 * Long.BYTES).putLong(0, i + 1).putLong(8, i % ACCOUNTS)
                        .putLong(16, i + 1);
                atLeader(nodes, node -> node.propose(command));
            }
            for (int account = 0; account < ACCOUNTS; account++) {
                byte[] query = account(account);
                before[account] = (Long) atLeader(nodes, node -> node.read(query));
            }
        } finally {
            nodes.forEach(RaftNode::close);
        }

        nodes = start(dir); // the same directories: every node recovers its log
        try {
            long total = 0;
            for (int account = 0; account < ACCOUNTS; account++) {
                byte[] query = account(account);
                long after = (Long) atLeader(nodes, node -> node.read(query));
                if (after != before[account]) {
                    System.out.println("account " + account + ": " + before[account] + " before the restart, " + after
                            + " after");
                    System.exit(1);
                }
                total += after;
            }
            System.out.println("ledger " + DEPOSITS + " balance " + total);
            if (total != (long) DEPOSITS * (DEPOSITS + 1) / 2) {
                System.exit(1);
            }
        } finally {
            nodes.forEach(RaftNode::close);
        }
    }

    private static byte[] account(int account) {
        return ByteBuffer.allocate(Long.BYTES).putLong(account).array();
    }

    private static List<RaftNode> start(Path dir) throws IOException {
        LocalNetwork network = new LocalNetwork();
        List<RaftNode> nodes = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(CONFIG).stateMachine(new Ledger())
                    .logStorage(SegmentedLogStorage.builder(dir.resolve("node-" + id)).nodeId(id).build())
                    .transport(network).sharedThread(true).build());
        }
        nodes.forEach(RaftNode::start);
        return nodes;
    }

    /**
     * Runs {@code request} at the leader until it succeeds: a request that failed because leadership
     * moved ({@link NotLeaderException}, {@link IndeterminateException}) is made again at the node that
     * leads now, which the deposit ids make safe.
     */
    private static Object atLeader(List<RaftNode> nodes, Function<RaftNode, CompletableFuture<Object>> request)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return request.apply(awaitLeader(nodes, deadline)).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                boolean moved = e.getCause() instanceof NotLeaderException || e.getCause() instanceof IndeterminateException;
                if (!moved || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private static RaftNode awaitLeader(List<RaftNode> nodes, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            for (RaftNode node : nodes) {
                if (node.status().isLeader()) {
                    return node;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader within 60 s");
    }
}
