package io.ringraft.examples.kv;

import static io.ringraft.examples.kv.KvGroupsCluster.await;
import static io.ringraft.examples.kv.KvGroupsCluster.call;
import static io.ringraft.examples.kv.KvGroupsCluster.fields;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code XFER src dst amount} with {@code --groups 4} on three hosts (loopback Netty, one {@link KvCluster}):
 * transfers between keys of any groups debit at once ({@code :1}), refuse a short balance ({@code :0}),
 * and every credit arrives exactly once through the source group's outbox, so once every outbox has
 * drained ({@code INFO}: {@code raft_outbox_depth:0} on every host) each balance is what the replies say
 * and the total is unchanged.
 */
class KvXferTest {

    private static final int GROUPS = 4;
    private static final int ACCOUNTS = 16;
    private static final RaftConfig CONFIG = KvGroupsCluster.CONFIG;

    @TempDir
    Path dataDir;

    private KvCluster cluster;
    private final List<RespTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RespTestClient client : clients) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(120)
    void transfersAcrossGroupsDebitOnceCreditExactlyOnceAndConserveTheTotal() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5), 0,
                GROUPS));
        List<RespTestClient> byNode = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RespTestClient client = new RespTestClient(cluster.member(id).server().localAddress());
            clients.add(client);
            byNode.add(client);
        }
        long[] balances = new long[ACCOUNTS];
        for (int a = 0; a < ACCOUNTS; a++) {
            assertThat(call(byNode.get(a % 3), "SET", account(a), "100")).isEqualTo("OK");
            balances[a] = 100;
        }
        assertThat(java.util.stream.IntStream.range(0, ACCOUNTS)
                .map(a -> KeyGroups.groupOf(account(a).getBytes(StandardCharsets.UTF_8), GROUPS)).distinct().count())
                .as("the accounts span every group").isEqualTo(GROUPS);

        SplittableRandom random = new SplittableRandom(15);
        int crossGroup = 0;
        for (int i = 0; i < 80; i++) {
            int src = random.nextInt(ACCOUNTS);
            int dst = random.nextInt(ACCOUNTS);
            long amount = 1 + random.nextInt(60);
            Object reply = call(byNode.get(i % 3), "XFER", account(src), account(dst), Long.toString(amount));
            assertThat(reply).isIn(0L, 1L);
            if (reply.equals(1L)) {
                balances[src] -= amount; // debited now; the credit follows
                balances[dst] += amount;
                if (group(src) != group(dst)) {
                    crossGroup++;
                }
            }
        }
        assertThat(crossGroup).as("transfers between groups that debited").isGreaterThan(10);

        // a short balance changes nothing; bad amounts and non-integer sources are errors
        assertThat(call(byNode.get(0), "XFER", "empty-account", account(0), "5")).isEqualTo(0L);
        assertThat(call(byNode.get(1), "XFER", account(0), account(1), "0"))
                .isEqualTo(new RespTestClient.Error(KvTransfers.AMOUNT.message()));
        assertThat(call(byNode.get(1), "SET", "not-a-number", "abc")).isEqualTo("OK");
        assertThat(call(byNode.get(2), "XFER", "not-a-number", account(1), "1"))
                .isEqualTo(new RespTestClient.Error(KvStateMachine.NOT_AN_INTEGER.message()));

        await("every outbox drained on every host", () -> byNode.stream()
                .allMatch(c -> "0".equals(fields((String) call(c, "INFO", "raft")).get("raft_outbox_depth"))));
        long total = 0;
        for (int a = 0; a < ACCOUNTS; a++) {
            Object value = call(byNode.get((a + 1) % 3), "GET", account(a));
            assertThat(value).as("balance of %s", account(a)).isEqualTo(Long.toString(balances[a]));
            total += balances[a];
        }
        assertThat(total).isEqualTo(ACCOUNTS * 100L);
        Map<String, String> info = fields((String) call(byNode.get(0), "INFO", "raft"));
        for (int g = 1; g <= GROUPS; g++) {
            assertThat(info.get("raft_group_" + g)).contains("outbox_depth=0").contains("outbox_oldest_age_ms=0");
        }
    }

    @Test
    void aDirectoryWrittenBeforeTheGroupsCarriedTheMessagingEnvelopeIsRefused() throws IOException {
        java.nio.file.Files.writeString(dataDir.resolve(KvHost.GROUPS_FILE), "4\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KvHost.checkLayout(dataDir, dataDir.resolve("node-1"), 4))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before XFER");
        Path fresh = dataDir.resolve("fresh");
        KvHost.checkLayout(fresh, fresh.resolve("node-1"), 4);
        assertThat(java.nio.file.Files.readString(fresh.resolve(KvHost.GROUPS_FILE)).trim()).isEqualTo("4" + KvHost.MESSAGING_MARK);
        KvHost.checkLayout(fresh, fresh.resolve("node-1"), 4); // the new format starts again
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KvHost.checkLayout(fresh, fresh.resolve("node-1"), 8))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("--groups 4");
    }

    private static String account(int a) {
        return "acct-" + a;
    }

    private static int group(int a) {
        return KeyGroups.groupOf(account(a).getBytes(StandardCharsets.UTF_8), GROUPS);
    }
}
