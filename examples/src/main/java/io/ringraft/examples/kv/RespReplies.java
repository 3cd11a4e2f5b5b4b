package io.ringraft.examples.kv;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns results and failures into RESP replies.
 *
 * <p>Failures follow one rule that clients rely on: {@code -TRYAGAIN} only when the command
 * certainly did not take effect ({@link NotLeaderException}, {@link RejectedException},
 * {@link NodeStoppedException}: it never entered the log), {@code -UNCERTAIN} when it may have
 * ({@link IndeterminateException}, {@code StorageFailedException}, a timeout, anything unexpected).
 * Reads never take effect, so a failed read is always {@code -TRYAGAIN}.
 */
final class RespReplies {

    static final RedisMessage OK = new SimpleStringRedisMessage("OK");

    private RespReplies() {
    }

    /** The reply for a state machine result (see {@link KvStateMachine} for the result types). */
    static RedisMessage of(Object result) {
        if (result == null) {
            return FullBulkStringRedisMessage.NULL_INSTANCE;
        }
        if (result instanceof String s) {
            return new SimpleStringRedisMessage(s);
        }
        if (result instanceof Long || result instanceof Integer) {
            return new IntegerRedisMessage(((Number) result).longValue());
        }
        if (result instanceof byte[] bytes) {
            return bulk(bytes);
        }
        if (result instanceof List<?> list) {
            List<RedisMessage> children = new ArrayList<>(list.size());
            list.forEach(element -> children.add(of(element)));
            return new ArrayRedisMessage(children);
        }
        if (result instanceof KvError error) {
            return error(error.message());
        }
        return error("ERR unexpected result type " + result.getClass().getSimpleName());
    }

    /** The reply for a failed write: {@code -TRYAGAIN} or {@code -UNCERTAIN}. */
    static RedisMessage writeFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RaftException raft && !raft.mayHaveTakenEffect()) {
            return error("TRYAGAIN " + cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return error("UNCERTAIN the write did not complete in time; it may or may not take effect");
        }
        return error("UNCERTAIN " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + "; the write may or may not take effect");
    }

    /** The reply for a failed read (a read never has an effect, so retrying is always safe). */
    static RedisMessage readFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TimeoutException) {
            return error("TRYAGAIN the read did not complete in time");
        }
        return error("TRYAGAIN " + cause.getMessage());
    }

    static RedisMessage bulk(byte[] bytes) {
        return bytes.length == 0 ? FullBulkStringRedisMessage.EMPTY_INSTANCE
                : new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(bytes));
    }

    static RedisMessage bulk(String text) {
        return bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static RedisMessage error(String message) {
        return new ErrorRedisMessage(message.replace('\r', ' ').replace('\n', ' '));
    }

    static RedisMessage wrongArity(String command) {
        return error("ERR wrong number of arguments for '" + command.toLowerCase(java.util.Locale.ROOT)
                + "' command");
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
