package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.RedisEncoder;
import io.ringraft.api.Membership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A RESP connection over an embedded channel: {@link RespCommandDecoder} turns bytes into commands
 * (pipelined, split across reads, inline; malformed input answered with a protocol error and the
 * connection closed), and {@link RespConnectionHandler} holds a write that finds no admission slot at
 * the door (not reading meanwhile) until a slot frees, and refuses it only once it waited too long.
 */
class RespConnectionHandlerTest {

    /** The answer to {@code CONFIG GET save} (a local command: needs no node). */
    private static final String CONFIG_SAVE = "*2\r\n$4\r\nsave\r\n$0\r\n\r\n";
    private static final long LONG_WAIT = Duration.ofMinutes(1).toNanos();

    /** Records each proposal; the test completes them. */
    private static final class PendingRouter implements WriteRouter {
        final List<CompletableFuture<Object>> proposals = new ArrayList<>();

        @Override
        public CompletableFuture<Object> propose(byte[] command) {
            CompletableFuture<Object> proposal = new CompletableFuture<>();
            proposals.add(proposal);
            return proposal;
        }

        @Override
        public CompletableFuture<Void> transferLeadership(long targetNodeId) {
            throw new AssertionError("no transfer expected");
        }

        @Override
        public CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change) {
            throw new AssertionError("no membership change expected");
        }
    }

    private final PendingRouter router = new PendingRouter();
    private final RespCommands commands = new RespCommands(null, router, 1 << 16, Duration.ofSeconds(5));

    private EmbeddedChannel connection(long doorWaitNanos) {
        return new EmbeddedChannel(new RedisEncoder(), new RespCommandDecoder(1024, 16),
                new RespConnectionHandler(commands, 64, doorWaitNanos));
    }

    @Test
    void pipelinedCommandsSplitAnywhereAreDecodedWhole() {
        EmbeddedChannel channel = connection(LONG_WAIT);
        byte[] input = ("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhello\r\n"
                + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$0\r\n\r\n"
                + "SET c inline\r\n").getBytes(StandardCharsets.US_ASCII);
        for (byte b : input) { // one byte per read: every header and body boundary falls between reads
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(router.proposals).as("three writes proposed").hasSize(3);
        router.proposals.forEach(p -> p.complete("OK"));
        channel.runPendingTasks();
        assertThat(replies(channel)).isEqualTo("+OK\r\n+OK\r\n+OK\r\n");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anEmptyInlineLineIsIgnored() {
        EmbeddedChannel channel = connection(LONG_WAIT);
        channel.writeInbound(bytes("\r\n  \r\nCONFIG GET save\r\n"));
        assertThat(replies(channel)).isEqualTo(CONFIG_SAVE);
    }

    @Test
    void malformedInputIsAnsweredWithAProtocolErrorAndNothingAfterItRuns() {
        List<String> malformed = List.of(
                "*0\r\n",
                "*-1\r\n",
                "*1\r\n+PING\r\n",
                "*1\r\n$-1\r\n",
                "*1\r\n$x\r\n",
                "*1\r\n$1\rX",
                "*1\r\n$4\r\nPINGxx",
                "*1\r\n$2000\r\n",          // longer than 1024: refused before its body arrives
                "*17\r\n",                  // more than 16 arguments
                "*99999999999999999999999999\r\n");
        for (String input : malformed) {
            EmbeddedChannel channel = connection(LONG_WAIT);
            channel.writeInbound(bytes(input + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n"));
            channel.runPendingTasks();
            assertThat(replies(channel)).as(input).startsWith("-ERR Protocol error: ");
            assertThat(channel.isOpen()).as("closed after %s", input).isFalse();
            assertThat(router.proposals).as("nothing after %s runs", input).isEmpty();
        }
    }

    @Test
    void aWriteWithoutAnAdmissionSlotWaitsAtTheDoorUntilOneFrees() {
        EmbeddedChannel channel = connection(LONG_WAIT);
        WriteAdmission admission = commands.admission();
        int taken = 0;
        while (admission.tryAcquire()) {
            taken++;
        }
        assertThat(taken).isEqualTo(admission.limit());

        channel.writeInbound(bytes("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\nCONFIG GET save\r\n"));
        assertThat(router.proposals).as("not proposed while every slot is taken").isEmpty();
        assertThat(replies(channel)).as("neither refused nor answered out of order").isEmpty();
        assertThat(channel.config().isAutoRead()).as("not reading while blocked at the door").isFalse();

        admission.release(-1, false); // a slot frees: the waiting connection is woken
        channel.runPendingTasks();
        assertThat(router.proposals).hasSize(1);
        router.proposals.get(0).complete("OK");
        channel.runPendingTasks();
        assertThat(replies(channel)).isEqualTo("+OK\r\n" + CONFIG_SAVE);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(admission.inFlight()).isEqualTo(taken - 1);
    }

    @Test
    void aWriteThatWaitedLongerThanTheDoorAllowsIsRefusedAsCertainlyWithoutEffect() {
        EmbeddedChannel channel = connection(0);
        WriteAdmission admission = commands.admission();
        while (admission.tryAcquire()) {
            // take every slot
        }
        channel.writeInbound(bytes("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n"));
        channel.runPendingTasks();
        assertThat(replies(channel)).startsWith("-TRYAGAIN busy: ");
        assertThat(router.proposals).isEmpty();
        assertThat(commands.writesRefused()).isEqualTo(1);
    }

    @Test
    void aWakeUpAConnectionDoesNotNeedIsPassedOn() {
        WriteAdmission admission = commands.admission();
        while (admission.tryAcquire()) {
            // take every slot
        }
        EmbeddedChannel first = connection(LONG_WAIT);
        EmbeddedChannel second = connection(LONG_WAIT);
        first.writeInbound(bytes("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n"));
        second.writeInbound(bytes("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\nd\r\n"));
        first.close(); // the first waiter goes away: its wake-up must reach the second
        admission.release(-1, false);
        first.runPendingTasks();
        second.runPendingTasks();
        assertThat(router.proposals).as("the second connection's write took the freed slot").hasSize(1);
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /** Everything the connection wrote so far, as text. */
    private static String replies(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            text.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return text.toString();
    }
}
