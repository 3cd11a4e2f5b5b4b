package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "failure is visible": {@code PING} answers {@code PONG} while the process's Raft node runs,
 * and an error once it stopped (it used to answer {@code PONG} on a node that had fail-stopped).
 */
class RespPingTest {

    @Test
    void pingAnswersAnErrorOnceTheNodeStopped() throws Exception {
        RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(RaftConfig.builder().build())
                .stateMachine(new KvStateMachine()).logStorage(new InMemoryLogStorage())
                .transport(new LocalNetwork()).build();
        try {
            node.start();
            RespCommands commands = new RespCommands(node, new InProcessRouter(node, java.util.Map.of(1L, node)), 1024,
                    Duration.ofSeconds(5));
            assertThat(ping(commands)).isInstanceOf(SimpleStringRedisMessage.class);
            node.close();
            RedisMessage reply = ping(commands);
            assertThat(reply).isInstanceOf(ErrorRedisMessage.class);
            assertThat(((ErrorRedisMessage) reply).content()).startsWith("ERR node 1 of group");
        } finally {
            node.close();
        }
    }

    private static RedisMessage ping(RespCommands commands) throws Exception {
        return commands.execute(List.of("PING".getBytes(StandardCharsets.US_ASCII))).get(5, TimeUnit.SECONDS);
    }
}
