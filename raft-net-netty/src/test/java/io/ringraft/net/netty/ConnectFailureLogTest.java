package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.message.TimeoutNow;
import io.ringraft.spi.RaftTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Connection failures to a peer are WARN, not DEBUG, but rate limited per peer: a peer that is down
 * while the node keeps sending (Raft resends every heartbeat) gives one WARN line for many failed
 * attempts within the interval (30 s). The tests' logging configuration lets WARN through; slf4j-simple
 * writes to the current {@code System.err}.
 */
class ConnectFailureLogTest {

    @Test
    void manyFailedAttemptsToADownPeerLogOneWarning() throws IOException {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort(); // free once closed: nothing listens there
        }
        String peer = "127.0.0.1:" + deadPort;
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // from the first attempt on
        try (NettyTransport transport = NettyTransport.builder().clusterId("log-test").nodeId(1)
                .bind("127.0.0.1", 0).peer(2, peer).eventLoopThreads(1).preferNativeTransport(false)
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(10)).build()) {
            RaftTransport node = transport.connect(1, 1, message -> true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (transport.stats().connectFailures() < 4) {
                assertThat(node.send(new TimeoutNow(1, 2, 1))).as("nothing to send to").isFalse();
                assertThat(System.nanoTime()).as("four failed attempts").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        } finally {
            System.setErr(original);
        }
        List<String> lines = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(line -> line.contains("cannot connect to " + peer)).toList();
        assertThat(lines).as("WARN lines in %s", captured).hasSize(1);
        assertThat(lines.get(0)).contains("WARN").contains("retrying with backoff");
    }
}
