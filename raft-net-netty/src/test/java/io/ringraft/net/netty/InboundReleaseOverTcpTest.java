package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.net.netty.internal.codec.NettyLeaks;
import io.ringraft.net.netty.internal.codec.WireEntriesProbe;
import io.ringraft.spi.RaftTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real TCP connections, received AppendEntries carry views over the pooled socket buffers (no
 * copy), a node reading them on its own thread sees exactly what was sent, and every buffer goes back:
 * those the node releases after handling them, and those the transport drops before a node took them.
 * Netty's leak detector (paranoid: every buffer tracked) must report nothing.
 */
class InboundReleaseOverTcpTest {

    private static final long GROUP = 9;
    private static final int APPENDS = 1500;

    static {
        NettyLeaks.listen();
    }

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close); // waits for the event loops: every channel is closed
        transports.clear();
    }

    private NettyTransport transport(long nodeId, Duration maxInboundPause) {
        NettyTransport transport = NettyTransport.builder().clusterId("release").nodeId(nodeId)
                .bind("127.0.0.1", 0).eventLoopThreads(1).maxInboundPause(maxInboundPause).build();
        transports.add(transport);
        return transport;
    }

    /** The payload of entry {@code index}: its size and bytes follow from the index alone. */
    private static byte[] payload(long index) {
        Random random = new Random(index);
        int size = index % 97 == 0 ? 60_000 + random.nextInt(40_000) : random.nextInt(3000); // some span reads
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** AppendEntries number {@code n}: 1..8 entries from index {@code 10 * n + 1}. */
    private static AppendEntriesRequest append(long to, int n) {
        long prevIndex = 10L * n;
        HeapLogEntries.Builder entries = HeapLogEntries.builder(prevIndex + 1);
        for (int i = 0; i < 1 + n % 8; i++) {
            long index = prevIndex + 1 + i;
            entries.add(3, index % 5 == 0 ? EntryKind.NOOP : EntryKind.COMMAND, payload(index));
        }
        return new AppendEntriesRequest(2, to, 3, new LogId(3, prevIndex), entries.build(), prevIndex);
    }

    private static void sendAll(RaftTransport endpoint, long to, int count) {
        for (int n = 1; n <= count; n++) {
            AppendEntriesRequest message = append(to, n);
            Await.until("sent append " + n, Duration.ofSeconds(20), () -> endpoint.send(message));
        }
    }

    @Test
    void aNodeReadsTheReceivedEntriesOnItsOwnThreadThenReleasesThemAndNothingLeaks() throws Exception {
        NettyTransport receiver = transport(1, Duration.ofSeconds(5));
        receiver.peer(2, "127.0.0.1:1");
        // A node: a small bounded queue (so the connection gets paused now and then) and a core thread.
        BlockingQueue<RaftMessage> queue = new ArrayBlockingQueue<>(16);
        List<LogEntries> views = new CopyOnWriteArrayList<>();
        receiver.connect(GROUP, 1, m -> {
            if (!queue.offer(m)) {
                return false;
            }
            if (m instanceof AppendEntriesRequest append) {
                views.add(append.entries());
            }
            return true;
        });
        AtomicInteger handled = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread core = new Thread(() -> {
            try {
                while (handled.get() < APPENDS) {
                    RaftMessage m = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (m == null) {
                        continue;
                    }
                    try {
                        check((AppendEntriesRequest) m);
                    } finally {
                        Releasable.release(m); // as the core does right after handling a message
                    }
                    handled.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-core");
        core.start();

        NettyTransport sender = transport(2, Duration.ofSeconds(5));
        sender.peer(1, "127.0.0.1:" + receiver.localAddress().getPort());
        RaftTransport endpoint = sender.connect(GROUP, 2, m -> true);
        sendAll(endpoint, 1, APPENDS);

        Await.until("every append handled", Duration.ofSeconds(60),
                () -> handled.get() == APPENDS || failure.get() != null);
        core.join(10_000);
        assertThat(failure.get()).isNull();
        assertThat(views).hasSize(APPENDS);
        assertThat(views).allSatisfy(view -> {
            assertThat(WireEntriesProbe.isWire(view)).isTrue();
            assertThat(WireEntriesProbe.isReleased(view)).isTrue();
        });
        assertThat(receiver.stats().protocolErrors()).isZero();

        close(); // the frame decoders give back their reads too
        for (LogEntries view : views) {
            ByteBuf slice = WireEntriesProbe.buffer(view);
            assertThat(slice.refCnt()).as("buffer of %s", view).isZero();
        }
        assertThat(NettyLeaks.reported()).isEmpty();
    }

    @Test
    void appendsDroppedBeforeANodeTookThemAreReleased() {
        NettyTransport receiver = transport(1, Duration.ofMillis(20));
        receiver.peer(2, "127.0.0.1:1");
        receiver.connect(GROUP, 1, m -> false); // node 1 is always full; node 3 is not here at all
        NettyTransport sender = transport(2, Duration.ofSeconds(5));
        String address = "127.0.0.1:" + receiver.localAddress().getPort();
        sender.peer(1, address).peer(3, address);
        RaftTransport endpoint = sender.connect(GROUP, 2, m -> true);

        int count = 60;
        sendAll(endpoint, 3, count);
        sendAll(endpoint, 1, count);
        Await.until("every append dropped", Duration.ofSeconds(30),
                () -> receiver.stats().inboundDroppedNoNode() == count && receiver.stats().inboundDroppedFull() == count);
        // one more burst, still held when the connection closes
        sendAll(endpoint, 1, 3);

        close();
        assertThat(NettyLeaks.reported()).isEmpty();
    }

    /** The entries read on this (non event loop) thread are exactly those sent. */
    private static void check(AppendEntriesRequest received) {
        LogEntries entries = received.entries();
        long prevIndex = received.prevLogId().index();
        int n = (int) (prevIndex / 10);
        assertThat(entries.count()).isEqualTo(1 + n % 8);
        for (int i = 0; i < entries.count(); i++) {
            long index = prevIndex + 1 + i;
            assertThat(entries.termAt(i)).isEqualTo(3);
            assertThat(entries.kindAt(i)).isEqualTo(index % 5 == 0 ? EntryKind.NOOP : EntryKind.COMMAND);
            byte[] bytes = entries.payloadAt(i).toByteArray();
            assertThat(bytes).as("payload of entry %d", index).isEqualTo(payload(index));
        }
    }
}
