package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk under a real node: node 1 of three {@link KvMain} {@code node} processes keeps its
 * data on a 72 MiB tmpfs, which a ballast file fills up to 64 KiB once the node has started (its first
 * 32 MiB log segment is preallocated, with zeros, at its first append). Writes through node 2 fill that segment; the node's
 * next segment does not fit and the kernel answers ENOSPC. Then:
 * <ul>
 *   <li>node 1 fail-stops and its process exits with status 70 (the KV example's {@code node} mode
 *       ends a fail-stopped process for its supervisor); its log names the full disk; the other two go
 *       on taking writes;
 *   <li>after the ballast is deleted (the operator frees space) and node 1 restarts on the same data
 *       directory, it rejoins: it serves every acknowledged write and takes new ones.
 * </ul>
 * Needs the privilege to mount a tmpfs ({@link TmpfsMount}); skipped where the machine does not allow
 * it (the storage-level {@code DiskFullTest} covers ENOSPC with a fault-injecting file layer everywhere).
 */
class FullDiskProcessTest {

    private static final int VALUE_BYTES = 32 << 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aNodeOnAFullDiskFailStopsLosesNothingAndRejoinsOnceSpaceIsFreed() throws Exception {
        TmpfsMount disk = TmpfsMount.mount(dir.resolve("small-disk"), 72);
        assumeTrue(disk != null, "this machine does not let the test mount a tmpfs (needs root or CAP_SYS_ADMIN)");
        try (disk; ProxiedKvCluster cluster = new ProxiedKvCluster(dir, 3, List.of())) {
            cluster.dataDir(1, disk.directory().resolve("data-1"));
            for (long id : cluster.ids()) {
                cluster.start(id);
            }
            try {
                scenario(cluster, disk);
            } catch (Throwable failure) {
                failure.addSuppressed(new AssertionError("output of the node processes:\n" + cluster.outputs()));
                throw failure;
            }
        }
    }

    private void scenario(ProxiedKvCluster cluster, TmpfsMount disk) throws Exception {
        cluster.ids().forEach(cluster::connect);
        cluster.awaitLeader();
        assertThat(cluster.firstWrite(1, "first", 20_000)).isPositive(); // node 1 appended: its segment exists
        Path ballast = disk.directory().resolve("ballast");
        fill(ballast, 64 << 10);

        // write through node 2 until node 1 fails (its disk full); remember what was acknowledged
        RespTestClient writer = cluster.client(2);
        List<Integer> acknowledged = new ArrayList<>();
        int next = 0;
        while (cluster.alive(1)) {
            assertThat(next).as("node 1 failed before %d writes of %d bytes", next, VALUE_BYTES).isLessThan(3000);
            int batch = 8;
            for (int i = 0; i < batch; i++) {
                writer.send("SET", "k" + (next + i), value(next + i));
            }
            for (int i = 0; i < batch; i++) {
                if ("OK".equals(writer.read())) {
                    acknowledged.add(next + i);
                }
            }
            next += batch;
        }
        // a fail-stopped KV node ends its process (status 70) so that a supervisor sees it; its log says why
        assertThat(cluster.awaitExit(1, 20_000)).as("node 1's exit status").isEqualTo(70);
        assertThat(cluster.outputs()).contains("No space left on device");
        assertThat(acknowledged.size()).as("writes acknowledged before node 1 failed").isGreaterThan(100);

        // the other two carry on
        assertThat(cluster.firstWrite(3, "after-failure", 20_000)).isPositive();
        acknowledged.add(-1);

        // the operator frees space and restarts node 1 on the same directory: it rejoins with everything
        Files.delete(ballast);
        cluster.start(1);
        cluster.connect(1);
        assertThat(cluster.firstWrite(1, "rejoined", 20_000)).isPositive();
        RespTestClient reader = cluster.client(1);
        for (int key : acknowledged) {
            reader.send("GET", key < 0 ? "after-failure" : "k" + key);
        }
        for (int key : acknowledged) {
            Object value = reader.read();
            if (key >= 0) {
                assertThat(value).as("k%d at the restarted node 1", key).isEqualTo(value(key));
            } else {
                assertThat(value).as("after-failure at the restarted node 1").isNotNull();
            }
        }
        assertThat(ProxiedKvCluster.field(cluster.status(1), "raft_role")).isIn("follower", "leader");
    }

    private static String value(int key) {
        StringBuilder value = new StringBuilder(VALUE_BYTES);
        String part = key + ":";
        while (value.length() < VALUE_BYTES) {
            value.append(part);
        }
        value.setLength(VALUE_BYTES);
        return value.toString();
    }

    /** Writes {@code file} until the file system is full, then gives {@code reserve} bytes of it back. */
    private static void fill(Path file, long reserve) throws IOException {
        byte[] chunk = new byte[64 << 10];
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            try {
                while (true) {
                    out.write(java.nio.ByteBuffer.wrap(chunk));
                }
            } catch (IOException full) {
                assertThat(full).hasMessageContaining("No space left on device");
            }
            out.truncate(Math.max(0, out.size() - reserve));
        }
    }
}
