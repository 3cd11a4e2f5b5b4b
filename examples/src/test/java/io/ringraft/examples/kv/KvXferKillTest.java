package io.ringraft.examples.kv;

import static io.ringraft.examples.kv.KvGroupsCluster.await;
import static io.ringraft.examples.kv.KvGroupsCluster.call;
import static io.ringraft.examples.kv.KvGroupsCluster.fields;
import static io.ringraft.examples.kv.KvGroupsCluster.groupOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code XFER} between groups across {@code kill -9} (issue 15): three {@link KvMain} {@code node} processes
 * with {@code --groups 4}; three client threads transfer from a few accounts of one group (the source) to
 * fresh accounts of another (the target), one destination per transfer, while the test kills ({@code kill -9})
 * the process that leads the source group, starts it again on its data directory, then does the same to the
 * process that leads the target group by then. Once every host's outboxes drained:
 * <ul>
 *   <li>a transfer answered {@code :1} was credited exactly once: its destination holds its amount;</li>
 *   <li>one that certainly had no effect ({@code :0}) left its destination at 0; one whose answer was lost
 *       ({@code -UNCERTAIN}, a connection cut by the kill) holds 0 or its amount, never anything else;</li>
 *   <li>each source account lost exactly what its transfers' destinations gained, so money is conserved.</li>
 * </ul>
 */
class KvXferKillTest {

    private static final int GROUPS = 4;
    private static final int SOURCES = 4;
    private static final int TRANSFERS = 90;
    private static final long INITIAL = 1_000;
    /** The kills come once this many transfers were answered. */
    private static final int[] KILL_AT = {TRANSFERS / 4, TRANSFERS / 2};
    /**
     * How far past a kill's mark clients may go before that kill happened: they keep transferring until the
     * kill (so it hits transfers in flight), and cannot all finish before it.
     */
    private static final int SLACK = 12;

    @TempDir
    Path dir;

    /** What a transfer's client learned. */
    private enum Outcome { NOT_SENT, DEBITED, NO_EFFECT, UNCERTAIN }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void transfersAcrossKilledSourceAndTargetLeadersAreCreditedExactlyOnce() throws Exception {
        try (ProxiedKvCluster cluster = new ProxiedKvCluster(dir, 3, List.of(), false)) {
            cluster.nodeArgs("--groups", Integer.toString(GROUPS));
            for (long id : cluster.ids()) {
                cluster.start(id);
            }
            try {
                run(cluster);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + tail(cluster.outputs()), e);
            }
        }
    }

    private void run(ProxiedKvCluster cluster) throws Exception {
        for (long id : cluster.ids()) {
            RespTestClient client = cluster.connect(id);
            await("node " + id + " knows a leader of every group", 60, () ->
                    Integer.toString(GROUPS).equals(fields((String) call(client, "INFO", "raft"))
                            .get("raft_groups_with_leader")));
        }
        int source = groupOf("src-0", GROUPS);
        int target = source % GROUPS + 1;
        String[] sources = keysOf(source, "src-", SOURCES);
        String[] destinations = keysOf(target, "dst-", TRANSFERS);
        RespTestClient setup = cluster.client(1);
        for (String key : sources) {
            assertThat(call(setup, "SET", key, Long.toString(INITIAL))).isEqualTo("OK");
        }
        for (String key : destinations) {
            assertThat(call(setup, "SET", key, "0")).isEqualTo("OK"); // a missing key would take no credit
        }

        Outcome[] outcomes = new Outcome[TRANSFERS];
        java.util.Arrays.fill(outcomes, Outcome.NOT_SENT);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger kills = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            clients.add(new Thread(() -> {
                try {
                    transfers(cluster, thread, sources, destinations, outcomes, answered, kills);
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "xfer-client-" + t));
        }
        for (Thread client : clients) {
            client.setDaemon(true);
            client.start();
        }

        // the source group's leader, then the target group's (by then perhaps another process), each killed
        // while transfers are in flight and started again on its data directory
        int[] groupsToKill = {source, target};
        for (int k = 0; k < 2; k++) {
            int after = KILL_AT[k];
            await(after + " transfers answered", 60, () -> answered.get() >= after || failure.get() != null);
            long victim = leaderOf(cluster, groupsToKill[k]);
            String depth = fields((String) call(cluster.client(victim), "INFO", "raft")).get("raft_outbox_depth");
            System.out.println("kill -9 of node " + victim + ", leader of group " + groupsToKill[k] + ", after "
                    + answered.get() + " transfers answered; its outboxes held " + depth + " messages");
            cluster.kill(victim);
            kills.incrementAndGet();
            cluster.start(victim);
            cluster.connect(victim);
        }
        for (Thread client : clients) {
            client.join(TimeUnit.MINUTES.toMillis(3));
            assertThat(client.isAlive()).as(client.getName() + " finished").isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError("a client failed", failure.get());
        }
        for (long id : cluster.ids()) {
            RespTestClient client = cluster.connect(id);
            await("node " + id + "'s outboxes drained", 60, () -> KvGroupsCluster.outboxesDrained(client));
        }

        RespTestClient reader = cluster.client(2);
        long[] debited = new long[SOURCES];
        int debits = 0;
        int uncertain = 0;
        for (int n = 0; n < TRANSFERS; n++) {
            long credited = Long.parseLong((String) call(reader, "GET", destinations[n]));
            long amount = amount(n);
            switch (outcomes[n]) {
                case DEBITED -> {
                    assertThat(credited).as("transfer %d answered :1: credited exactly once", n).isEqualTo(amount);
                    debits++;
                }
                case NO_EFFECT -> assertThat(credited).as("transfer %d had no effect", n).isZero();
                case UNCERTAIN -> {
                    assertThat(credited).as("transfer %d (answer lost): none or once", n).isIn(0L, amount);
                    uncertain++;
                }
                default -> throw new AssertionError("transfer " + n + " was never sent");
            }
            debited[n % SOURCES] += credited;
        }
        long total = 0;
        for (int s = 0; s < SOURCES; s++) {
            long balance = Long.parseLong((String) call(reader, "GET", sources[s]));
            assertThat(balance).as("%s lost what its transfers credited", sources[s]).isEqualTo(INITIAL - debited[s]);
            total += balance + debited[s];
        }
        assertThat(total).as("money conserved").isEqualTo(SOURCES * INITIAL);
        System.out.println("transfers: " + debits + " answered :1, " + uncertain + " uncertain, "
                + (TRANSFERS - debits - uncertain) + " without effect");
        assertThat(debits).as("transfers answered :1").isGreaterThan(TRANSFERS / 2);
    }

    /**
     * Client thread {@code thread}: the transfers {@code n = thread, thread + 3, ...}, each through the next
     * live node, none more than {@link #SLACK} past a kill's mark before that kill. {@code -TRYAGAIN} (certainly no effect) is retried; a lost answer is recorded as uncertain.
     */
    private static void transfers(ProxiedKvCluster cluster, int thread, String[] sources, String[] destinations,
                                  Outcome[] outcomes, AtomicInteger answered, AtomicInteger kills)
            throws InterruptedException {
        RespTestClient client = null;
        long node = thread + 1;
        for (int n = thread; n < TRANSFERS; n += 3) {
            int killsBefore = 0;
            for (int mark : KILL_AT) {
                killsBefore += n >= mark + SLACK ? 1 : 0;
            }
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (kills.get() < killsBefore) { // not past a kill's mark by more than SLACK before it happened
                if (System.nanoTime() > waitUntil) {
                    throw new AssertionError("kill " + killsBefore + " did not come");
                }
                Thread.sleep(5);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (outcomes[n] == Outcome.NOT_SENT) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("transfer " + n + " kept failing for 60 s");
                }
                if (client == null) {
                    try {
                        client = new RespTestClient(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                                cluster.redisPort(node)));
                    } catch (IOException e) { // not listening (killed, or starting): nothing was sent
                        node = node % 3 + 1;
                        Thread.sleep(20);
                        continue;
                    }
                }
                Object reply;
                try {
                    reply = client.call("XFER", sources[n % SOURCES], destinations[n], Long.toString(amount(n)));
                } catch (IOException e) { // the connection broke with the command sent: it may have applied
                    outcomes[n] = Outcome.UNCERTAIN;
                    closeQuietly(client);
                    client = null;
                    node = node % 3 + 1;
                    break;
                }
                if (reply instanceof RespTestClient.Error error && error.message().startsWith("TRYAGAIN")) {
                    Thread.sleep(20);
                } else if (reply instanceof RespTestClient.Error error && error.message().startsWith("UNCERTAIN")) {
                    outcomes[n] = Outcome.UNCERTAIN;
                } else if (Long.valueOf(1).equals(reply)) {
                    outcomes[n] = Outcome.DEBITED;
                } else if (Long.valueOf(0).equals(reply)) {
                    outcomes[n] = Outcome.NO_EFFECT;
                } else {
                    throw new AssertionError("XFER " + n + " answered " + reply);
                }
            }
            answered.incrementAndGet();
        }
        if (client != null) {
            closeQuietly(client);
        }
    }

    private static long amount(int n) {
        return 1 + n % 7;
    }

    /** The node every live node names as leader of {@code group}. */
    private static long leaderOf(ProxiedKvCluster cluster, int group) {
        return ProxiedKvCluster.await("a leader of group " + group, () -> {
            long leader = Long.parseLong(ProxiedKvCluster.field((String) call(cluster.client(1), "RAFT.STATUS",
                    Integer.toString(group)), "raft_leader_id"));
            return leader == 0 ? null : leader;
        });
    }

    /** {@code count} keys {@code prefix<i>} that live in {@code group}. */
    private static String[] keysOf(int group, String prefix, int count) {
        String[] keys = new String[count];
        int found = 0;
        for (int i = 0; found < count; i++) {
            if (groupOf(prefix + i, GROUPS) == group) {
                keys[found++] = prefix + i;
            }
        }
        return keys;
    }

    private static String tail(String text) {
        return text.length() <= 20_000 ? text : "..." + text.substring(text.length() - 20_000);
    }

    private static void closeQuietly(RespTestClient client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
