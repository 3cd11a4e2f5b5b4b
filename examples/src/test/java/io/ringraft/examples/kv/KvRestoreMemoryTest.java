package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: the KV state machine restores a snapshot of a large store within a heap of twice the
 * store's data (keys and values): it drops the old state before reading the new one. A child JVM with
 * {@code -Xmx} of twice the data fills a store, writes its snapshot, then restores it over the full
 * state (as a follower installing the leader's snapshot does); holding the old and the new maps
 * together ran out of heap. Heavy (2 M keys of 1 KiB: a 2 GiB snapshot, a 4 GiB heap, about a minute),
 * so off by default: {@code -Dringraft.kv.restoreKeys=2000000} runs it (any key count).
 */
@EnabledIfSystemProperty(named = "ringraft.kv.restoreKeys", matches = "[0-9]+")
class KvRestoreMemoryTest {

    private static final int VALUE_BYTES = 1024;

    @Test
    void aLargeStoreRestoresWithinTwiceItsDataOfHeap(@TempDir Path dir) throws Exception {
        int keys = Integer.getInteger("ringraft.kv.restoreKeys");
        long dataBytes = (long) keys * (VALUE_BYTES + 12);
        long heapMiB = 2 * dataBytes / (1 << 20);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMiB + "m", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                String.valueOf(keys), dir.resolve("snapshot").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(20, TimeUnit.MINUTES)).as("the child finished").isTrue();
        String log = Files.readString(dir.resolve("child.log"));
        System.out.println("restore of " + keys + " keys in -Xmx" + heapMiB + "m: " + log.strip());
        assertThat(child.exitValue()).as(log).isZero();
        assertThat(log).contains("restored " + keys + " keys");
    }

    /** The child JVM: fill, snapshot to a file, restore over the full state. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            int keys = Integer.parseInt(args[0]);
            Path file = Path.of(args[1]);
            KvStateMachine kv = new KvStateMachine();
            byte[] value = new byte[VALUE_BYTES];
            for (int i = 0; i < keys; i++) {
                value[0] = (byte) i;
                byte[] command = KvCodec.set(String.format("key:%08d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        value, 0);
                io.ringraft.message.HeapLogEntries.Builder entries = io.ringraft.message.HeapLogEntries.builder(1L + i);
                entries.add(1, io.ringraft.api.EntryKind.COMMAND, command);
                kv.apply(entries.build(), (offset, result) -> { });
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                kv.snapshot().writeTo(out);
            }
            long start = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                kv.restore(in);
            }
            System.out.printf("restored %d keys in %d ms, heap used %d MiB of %d MiB%n", keys,
                    (System.nanoTime() - start) / 1_000_000,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
        }
    }
}
