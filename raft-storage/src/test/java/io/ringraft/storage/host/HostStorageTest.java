package io.ringraft.storage.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.StateMachine;
import io.ringraft.storage.GroupDirectories;
import io.ringraft.storage.HostStorage;
import io.ringraft.storage.wal.SharedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's groups on durable storage: a restarted host finds its groups and each recovers its log; a
 * group removed with its data is gone after the restart.
 */
class HostStorageTest {

    /** Counts the commands it applied; each command's result is the new count. */
    static final class Counter implements StateMachine {
        private long count;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, ++count);
            }
        }
    }

    @TempDir
    Path dir;

    private static void writeAndRestart(LogStorageFactory logs, Runnable betweenHosts) throws Exception {
        LocalNetwork network = new LocalNetwork();
        try (RaftHost host = RaftHost.builder().nodeId(1).transport(network).logStorage(logs).workers(1).build()) {
            for (long g = 1; g <= 3; g++) {
                RaftNode node = host.createGroup(g, Set.of(1L), new Counter());
                node.awaitLeader(Duration.ofSeconds(10));
                for (int i = 0; i < g; i++) {
                    node.propose(new byte[] {1}).get(10, TimeUnit.SECONDS);
                }
            }
        }
        betweenHosts.run();
        assertThat(logs.groupsFound()).containsExactly(1L, 2L, 3L);
        try (RaftHost host = RaftHost.builder().nodeId(1).transport(network).logStorage(logs).workers(1).build()) {
            for (long g : logs.groupsFound()) {
                RaftNode node = host.createGroup(g, Set.of(1L), new Counter());
                node.awaitLeader(Duration.ofSeconds(10));
                // The recovered log replays g commands, then the leader's no-op; the next command counts g + 1.
                assertThat(node.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo(g + 1);
            }
        }
    }

    @Test
    void aDirectoryPerGroupSurvivesARestartAndDeletes() throws Exception {
        GroupDirectories directories = new GroupDirectories(dir, 0x5eed, 1);
        writeAndRestart(directories, () -> { });
        try (RaftHost host = RaftHost.builder().nodeId(1).transport(new LocalNetwork()).logStorage(directories)
                .snapshotStore(directories.snapshots()).workers(1).build()) {
            host.createGroup(2, Set.of(1L), new Counter()).awaitLeader(Duration.ofSeconds(10));
            assertThat(host.removeGroup(2, true)).isTrue();
        }
        assertThat(directories.groupsFound()).containsExactly(1L, 3L);
        assertThat(Files.exists(directories.directoryOf(2))).isFalse();
    }

    @Test
    void theDefaultHostStorageSurvivesARestartAndClosesWithTheHost() throws Exception {
        LocalNetwork network = new LocalNetwork();
        HostStorage first = HostStorage.open(dir.resolve("host-1"), 0x5eed, 1);
        try (RaftHost host = first.configure(RaftHost.builder().nodeId(1).transport(network).workers(1)).build()) {
            for (long g = 1; g <= 3; g++) {
                RaftNode node = host.createGroup(g, Set.of(1L), new Counter());
                node.awaitLeader(Duration.ofSeconds(10));
                for (int i = 0; i < g; i++) {
                    node.propose(new byte[] {1}).get(10, TimeUnit.SECONDS);
                }
            }
            assertThat(first.logs().groupsFound()).containsExactly(1L, 2L, 3L);
            assertThat(host.removeGroup(3, true)).isTrue(); // a delete record in the shared log
            assertThat(first.logs().groupsFound()).containsExactly(1L, 2L);
        }
        // The host closed the shared log: the directory is free to open again.
        HostStorage second = HostStorage.open(dir.resolve("host-1"), 0x5eed, 1);
        try (RaftHost host = second.configure(RaftHost.builder().nodeId(1).transport(network).workers(1)).build()) {
            assertThat(second.logs().groupsFound()).containsExactly(1L, 2L);
            // Created again, the deleted group starts empty: its first command counts 1.
            RaftNode recreated = host.createGroup(3, Set.of(1L), new Counter());
            recreated.awaitLeader(Duration.ofSeconds(10));
            assertThat(recreated.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
            for (long g = 1; g <= 2; g++) {
                RaftNode node = host.createGroup(g, Set.of(1L), new Counter());
                node.awaitLeader(Duration.ofSeconds(10));
                assertThat(node.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo(g + 1);
            }
        }
    }

    @Test
    void oneSharedLogSurvivesARestart() throws Exception {
        SharedLog first = SharedLog.builder(dir.resolve("wal")).clusterId(0x5eed).nodeId(1).fileBytes(1 << 20).build();
        first.open();
        SharedLog[] second = new SharedLog[1];
        LogStorageFactory logs = new LogStorageFactory() {
            @Override
            public io.ringraft.spi.LogStorage create(long groupId) {
                return (second[0] != null ? second[0] : first).storageFor(groupId);
            }

            @Override
            public Set<Long> groupsFound() throws java.io.IOException {
                return (second[0] != null ? second[0] : first).asFactory().groupsFound();
            }
        };
        try {
            writeAndRestart(logs, () -> {
                try {
                    first.close();
                    second[0] = SharedLog.builder(dir.resolve("wal")).clusterId(0x5eed).nodeId(1).fileBytes(1 << 20).build();
                    second[0].open();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            second[0].asFactory().delete(1);
            assertThat(second[0].asFactory().groupsFound()).containsExactly(2L, 3L);
        } finally {
            first.close();
            if (second[0] != null) {
                second[0].close();
            }
        }
    }
}
