package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RESP server serves a bounded number of connections: one beyond the bound is answered
 * {@code -ERR max number of clients reached} and closed, the connections already open keep working,
 * and a slot freed by a closed connection is served again.
 */
class KvServerClientLimitTest {

    @Test
    void aConnectionBeyondTheBoundIsRefusedWithAnErrorAndAFreedSlotIsServedAgain() throws Exception {
        RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(RaftConfig.builder().build())
                .stateMachine(new KvStateMachine()).logStorage(new InMemoryLogStorage())
                .transport(new LocalNetwork()).build();
        EventLoopGroup loops = new NioEventLoopGroup(2);
        try {
            node.start();
            RespCommands commands = new RespCommands(node, new InProcessRouter(node, Map.of(1L, node)), 1024,
                    Duration.ofSeconds(5));
            try (KvServer server = KvServer.start(new InetSocketAddress("127.0.0.1", 0), commands, loops, 1024, 2)) {
                InetSocketAddress address = server.localAddress();
                RespTestClient first = new RespTestClient(address);
                RespTestClient second = new RespTestClient(address);
                assertThat(first.call("PING")).isEqualTo("PONG");
                assertThat(second.call("PING")).isEqualTo("PONG");

                assertThat(refusedAnswer(address)).isEqualTo(KvServer.TOO_MANY_CLIENTS);
                assertThat(first.call("PING")).as("the open connections are not disturbed").isEqualTo("PONG");

                first.close();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                Object answer = null;
                while (System.nanoTime() < deadline) { // the server notices the close asynchronously
                    try (RespTestClient third = new RespTestClient(address)) {
                        answer = third.call("PING");
                    } catch (IOException refusedThenClosed) {
                        answer = refusedThenClosed;
                    }
                    if ("PONG".equals(answer)) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(answer).as("the slot the closed connection held is served again").isEqualTo("PONG");
                second.close();
            }
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            node.close();
        }
    }

    /** Everything a connection beyond the bound receives before the server closes it. */
    private static String refusedAnswer(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
