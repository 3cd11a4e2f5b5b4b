package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringraft.api.LogId;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A full inbound queue pauses reading, keeps order, resumes, and never pauses for longer than the bound. */
class InboundBackpressureTest {

    private static final long MAX_PAUSE_MILLIS = 50;

    private final EmbeddedServer server = new EmbeddedServer(
            EmbeddedServer.settings(64 * 1024, TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS))).handshake();

    private static RaftMessage vote(long term) {
        return new VoteRequest(EmbeddedServer.PEER, EmbeddedServer.SELF, term, LogId.ZERO, false);
    }

    /** Three frames arriving in one read. */
    private void writeThreeFrames() {
        ByteBuf read = Unpooled.buffer();
        for (long term = 1; term <= 3; term++) {
            ByteBuf frame = EmbeddedServer.frameOf(vote(term));
            read.writeInt(frame.readableBytes()).writeBytes(frame);
            frame.release();
        }
        server.writeBytes(read);
    }

    @Test
    void aFullNodePausesReadingAndTheHeldMessagesArriveInOrderWhenItDrains() {
        server.full = m -> true;
        writeThreeFrames();
        assertThat(server.channel.config().isAutoRead()).isFalse();
        assertThat(server.dispatcher().heldCount()).isEqualTo(3);
        assertThat(server.context.counters.inboundPauses.sum()).isEqualTo(1);

        server.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.delivered).isEmpty(); // still full: retried, still held

        server.full = m -> m.term() == 3; // room for the first two only
        server.channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.delivered).containsExactly(vote(1), vote(2));
        assertThat(server.channel.config().isAutoRead()).isFalse();

        server.full = m -> false;
        server.channel.advanceTimeBy(4, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.delivered).containsExactly(vote(1), vote(2), vote(3));
        assertThat(server.channel.config().isAutoRead()).isTrue();
        assertThat(server.dispatcher().heldCount()).isZero();
        assertThat(server.context.counters.inboundDroppedFull.sum()).isZero();
        server.channel.checkException();
    }

    @Test
    void messagesArrivingWhilePausedQueueBehindTheHeldOnes() {
        server.full = m -> m.term() == 1;
        writeThreeFrames();
        assertThat(server.delivered).isEmpty(); // 2 and 3 wait behind 1: order is kept
        server.full = m -> false;
        server.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.channel.runScheduledPendingTasks();
        assertThat(server.delivered).containsExactly(vote(1), vote(2), vote(3));
    }

    @Test
    void aNodeThatStaysFullIsGivenUpOnAfterTheMaximumPause() {
        server.full = m -> true;
        writeThreeFrames();
        long waited = 0;
        while (!server.channel.config().isAutoRead() && waited <= 10 * MAX_PAUSE_MILLIS) {
            server.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            server.channel.runScheduledPendingTasks();
            waited++;
        }
        assertThat(waited).isBetween(MAX_PAUSE_MILLIS, MAX_PAUSE_MILLIS + 32);
        assertThat(server.channel.config().isAutoRead()).isTrue();
        assertThat(server.context.counters.inboundDroppedFull.sum()).isEqualTo(3);
        assertThat(server.dispatcher().heldCount()).isZero();

        // the connection still works
        server.full = m -> false;
        server.writeFrame(EmbeddedServer.frameOf(vote(4)));
        assertThat(server.delivered).containsExactly(vote(4));
        server.channel.checkException();
    }

    @Test
    void messagesForNodesThatAreNotHereAreDroppedWithoutPausing() {
        RaftMessage elsewhere = new VoteResponse(EmbeddedServer.PEER, 42, 1, true, false);
        server.writeFrame(EmbeddedServer.frameOf(elsewhere));
        assertThat(server.channel.config().isAutoRead()).isTrue();
        assertThat(server.context.counters.inboundDroppedNoNode.sum()).isEqualTo(1);
        assertThat(server.channel.isOpen()).isTrue();
        assertThat(List.copyOf(server.delivered)).isEmpty();
    }

    @Test
    void closingWhilePausedReleasesTheHeldMessages() {
        server.full = m -> true;
        writeThreeFrames();
        server.channel.close();
        server.channel.runPendingTasks();
        assertThat(server.dispatcher() == null || server.dispatcher().heldCount() == 0).isTrue();
        server.channel.checkException();
    }
}
