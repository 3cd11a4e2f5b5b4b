package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.StorageFailedException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The TRYAGAIN / UNCERTAIN rule: only a command that certainly did not take effect may be retried. */
class RespRepliesTest {

    @Test
    void writesThatCertainlyDidNotEnterTheLogAreTryAgain() {
        assertThat(text(RespReplies.writeFailure(new NotLeaderException(1, 2)))).startsWith("TRYAGAIN ");
        assertThat(text(RespReplies.writeFailure(new RejectedException("full")))).startsWith("TRYAGAIN ");
        assertThat(text(RespReplies.writeFailure(new CompletionException(new NodeStoppedException("closed")))))
                .startsWith("TRYAGAIN ");
    }

    @Test
    void writesThatMayHaveTakenEffectAreUncertainNeverTryAgain() {
        assertThat(text(RespReplies.writeFailure(new IndeterminateException("lost leadership"))))
                .startsWith("UNCERTAIN ");
        assertThat(text(RespReplies.writeFailure(new StorageFailedException("disk", new IOException("x")))))
                .startsWith("UNCERTAIN ");
        assertThat(text(RespReplies.writeFailure(new CompletionException(new TimeoutException()))))
                .startsWith("UNCERTAIN ");
        assertThat(text(RespReplies.writeFailure(new IllegalStateException("surprise")))).startsWith("UNCERTAIN ");
    }

    @Test
    void failedReadsAreAlwaysTryAgain() {
        assertThat(text(RespReplies.readFailure(new CompletionException(new TimeoutException()))))
                .startsWith("TRYAGAIN ");
        assertThat(text(RespReplies.readFailure(new NotLeaderException(3, 0)))).startsWith("TRYAGAIN ");
    }

    @Test
    void errorTextCannotBreakTheProtocol() {
        assertThat(text(RespReplies.error("ERR a\r\nb"))).doesNotContain("\r").doesNotContain("\n");
        assertThat(text(RespReplies.wrongArity("GET"))).isEqualTo("ERR wrong number of arguments for 'get' command");
    }

    private static String text(RedisMessage message) {
        assertThat(message).isInstanceOf(ErrorRedisMessage.class);
        return ((ErrorRedisMessage) message).content();
    }
}
