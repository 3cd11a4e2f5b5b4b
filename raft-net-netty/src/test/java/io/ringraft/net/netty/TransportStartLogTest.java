package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A transport says once, at INFO, which socket transport it runs on, so that an application running
 * on NIO because the native epoll jar is missing can see it. The test logging configuration
 * (simplelogger.properties) lets TransportCore's INFO through; slf4j-simple writes to the current
 * {@code System.err}.
 */
class TransportStartLogTest {

    @Test
    void theTransportInUseIsLoggedOnceAtInfo() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        NettyTransport transport;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            transport = NettyTransport.builder().clusterId("log-test").nodeId(4).bind("127.0.0.1", 0)
                    .eventLoopThreads(1).preferNativeTransport(false).build();
        } finally {
            System.setErr(original);
        }
        transport.close();
        List<String> lines = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(line -> line.contains("node 4 of cluster 'log-test'"))
                .toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("INFO").contains("transport NIO (preferNativeTransport(false))");
    }
}
