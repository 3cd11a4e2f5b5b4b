package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the tests of the KV store's {@code --groups} mode share ({@link KvGroupsTest}, {@link KvXferTest},
 * {@link KvXferKillTest}): the groups' configuration, reading {@code INFO}, a RESP call that retries while
 * the answer is {@code -TRYAGAIN}, and waiting for a condition. Test code only.
 */
final class KvGroupsCluster {

    /**
     * Host-sized groups with room for 16 KiB commands; an election timeout of a second keeps a loaded
     * 2-core machine (tens of groups, the test, the build) from deposing healthy leaders, so that exact
     * results never come back UNCERTAIN.
     */
    static final RaftConfig CONFIG = KvCluster.snapshotPolicy(RaftConfig.hostBuilder()
            .maxEntryBytes(16 << 10).ringCapacityEntries(512).ringCapacityBytes(256 << 10)
            .proposalQueueBytes(256 << 10).maxBytesPerAppend(64 << 10).maxPendingReads(1024)
            .heartbeatIntervalMillis(50).electionTimeoutMillis(1000)).build();

    private KvGroupsCluster() {
    }

    /** The {@code name:value} lines of an {@code INFO} or {@code RAFT.STATUS} answer. */
    static Map<String, String> fields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    /**
     * Sends a command, retrying while the answer is TRYAGAIN (the command then certainly had no effect) for
     * up to 20 s; an UNCERTAIN answer fails the test.
     */
    static Object call(RespTestClient client, String... command) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Object reply;
            try {
                reply = client.call(command);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!(reply instanceof RespTestClient.Error e && e.message().startsWith("TRYAGAIN"))) {
                assertThat(reply instanceof RespTestClient.Error e && e.message().startsWith("UNCERTAIN"))
                        .as("%s answered %s", Arrays.toString(command), reply).isFalse();
                return reply;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(Arrays.toString(command) + " kept answering " + reply);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Waits up to 30 s for {@code condition}. */
    static void await(String what, BooleanSupplier condition) {
        await(what, 30, condition);
    }

    /** Waits up to {@code seconds} for {@code condition}. */
    static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Whether {@code client}'s host reports every outbox of every group empty ({@code raft_outbox_depth:0}). */
    static boolean outboxesDrained(RespTestClient client) {
        return "0".equals(fields((String) call(client, "INFO", "raft")).get("raft_outbox_depth"));
    }

    /** The group of {@code key} among {@code groups}. */
    static int groupOf(String key, int groups) {
        return KeyGroups.groupOf(key.getBytes(StandardCharsets.UTF_8), groups);
    }
}
