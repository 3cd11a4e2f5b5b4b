package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.Releasable;
import io.ringraft.message.VoteRequest;
import io.ringraft.net.netty.internal.codec.TestMessages;
import io.ringraft.spi.RaftTransport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outbound back-pressure, the control reserve, stall detection, and lazy connects with backoff. */
class FlowControlTest {

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport.Builder builder(long nodeId) {
        return NettyTransport.builder().clusterId("flow").nodeId(nodeId).bind("127.0.0.1", 0).eventLoopThreads(1);
    }

    private NettyTransport track(NettyTransport transport) {
        transports.add(transport);
        return transport;
    }

    /** Sends {@code bulk} until the connection refuses it (its outbound buffer is above the high water mark). */
    private static void fillUntilRefused(RaftTransport endpoint, AppendEntriesRequest bulk) {
        for (int sent = 0; endpoint.send(bulk); sent++) {
            assertThat(sent).as("appends taken before the connection pushes back again").isLessThan(20_000);
        }
    }

    private static AppendEntriesRequest append(int payloadBytes) {
        LogEntries entries = HeapLogEntries.builder(1).add(1, EntryKind.COMMAND, new byte[payloadBytes]).build();
        return new AppendEntriesRequest(2, 1, 1, LogId.ZERO, entries, 0);
    }

    @Test
    void aPeerThatStopsReadingMakesSendsFailFastThenTheConnectionIsClosedAsStalled() {
        // node 1's inbound queue is always full: its connection stops reading and holds what it got
        AtomicBoolean full = new AtomicBoolean(true);
        NettyTransport receiver = track(builder(1).peer(2, "127.0.0.1:1").maxInboundPause(Duration.ofSeconds(60)).build());
        receiver.connect(1, 1, m -> {
            if (full.get()) {
                return false;
            }
            Releasable.release(m); // accepted and dropped, as a node would after handling it
            return true;
        });
        NettyTransport sender = track(builder(2).peer(1, "127.0.0.1:" + receiver.localAddress().getPort())
                .writeBufferWaterMarks(32 << 10, 64 << 10).controlReserveBytes(16 << 10)
                .stallTimeout(Duration.ofMillis(500)).build());
        RaftTransport endpoint = sender.connect(1, 2, m -> true);
        Await.until("connected", () -> endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true)));

        // bulk appends are refused once the socket buffers and the 64 KiB outbound buffer are full: refused 8
        // times in a row, 20 ms apart (well within the 500 ms stall timeout), so that the kernel had the time
        // to take what it still would (with 3, under load, it went on taking data afterwards)
        AppendEntriesRequest bulk = append(4096);
        int accepted = 0;
        for (int refusals = 0; refusals < 8; ) {
            if (endpoint.send(bulk)) {
                accepted++;
                refusals = 0;
                assertThat(accepted).as("appends taken before the connection pushes back").isLessThan(20_000);
            } else {
                refusals++;
                LockSupport.parkNanos(20_000_000); // let the event loop push what the kernel still takes
            }
        }
        assertThat(sender.stats().sendsRefusedUnwritable()).isGreaterThanOrEqualTo(3);
        // a forwarded command is bulk data too (even an empty one); the leader's answer is a control message.
        // Filled up again right before each check: meanwhile the kernel may have taken more (loopback socket
        // buffers grow) and the connection may be writable again (seen under load).
        fillUntilRefused(endpoint, bulk);
        assertThat(endpoint.send(new ForwardProposal(2, 1, 1, 7, new byte[100]))).as("forwarded command").isFalse();
        fillUntilRefused(endpoint, bulk);
        assertThat(endpoint.send(new ForwardProposal(2, 1, 1, 8, new byte[0]))).as("empty forwarded command")
                .isFalse();
        assertThat(endpoint.send(new ForwardProposalResult(2, 1, 1, 7, ForwardProposalResult.Outcome.APPENDED,
                new LogId(1, 5), 0))).as("forward result from the reserve").isTrue();

        // votes and heartbeats still get the 16 KiB reserve above the high water mark, and no more.
        // Netty counts each heartbeat as its 66-byte frame and 4-byte length prefix plus 96 bytes of
        // bookkeeping per buffer (about 262 B), and the last bulk append accepted may have overshot
        // the high water mark by up to one 4 KiB message: about 45 to 62 heartbeats fit (the kernel
        // may still absorb a little meanwhile, hence the slack).
        AppendEntriesRequest heartbeat = new AppendEntriesRequest(2, 1, 1, LogId.ZERO, LogEntries.empty(1), 0);
        int controls = 0;
        while (endpoint.send(heartbeat)) {
            controls++;
            assertThat(controls).as("heartbeats taken from the reserve").isLessThan(2000);
        }
        assertThat(controls).isGreaterThan(30);
        assertThat(endpoint.send(bulk)).as("bulk data does not get the reserve").isFalse();

        // still unwritable past the stall timeout: the next send closes the connection
        Await.until("the stalled connection is closed", Duration.ofSeconds(10), () -> {
            endpoint.send(bulk);
            LockSupport.parkNanos(10_000_000);
            return sender.stats().stalledConnectionsClosed() == 1;
        });
        assertThat(receiver.stats().inboundPauses()).isGreaterThanOrEqualTo(1);

        // once the node drains, a new connection carries messages again
        full.set(false);
        Await.until("reconnected", Duration.ofSeconds(10), () -> {
            LockSupport.parkNanos(5_000_000);
            return endpoint.send(new VoteRequest(2, 1, 2, LogId.ZERO, true));
        });
        assertThat(sender.stats().connectionsEstablished()).isEqualTo(2);
    }

    @Test
    void aDownPeerIsRetriedOnlyOnSendsAndOnlyAfterTheBackoff() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // free, and nobody listens once closed
        }
        NettyTransport sender = track(builder(2).peer(1, "127.0.0.1:" + port)
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(400)).build());
        RaftTransport endpoint = sender.connect(1, 2, m -> true);
        VoteRequest vote = new VoteRequest(2, 1, 1, LogId.ZERO, true);

        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_000_000_000L) {
            assertThat(endpoint.send(vote)).isFalse();
            LockSupport.parkNanos(1_000_000);
        }
        long attempts = sender.stats().connectAttempts();
        // first attempt at once, then waits of [100, 200] ms, then [200, 400] ms: at most 6 in a second
        assertThat(attempts).isBetween(2L, 6L);
        Await.until("the last attempt failed", () -> sender.stats().connectFailures() == attempts);

        // nothing happens while nobody sends: no timers, no reconnect loop
        long quietUntil = System.nanoTime() + 600_000_000L;
        while (System.nanoTime() - quietUntil < 0) {
            LockSupport.parkNanos(50_000_000);
        }
        assertThat(sender.stats().connectAttempts()).isEqualTo(attempts);

        // the peer comes up on that port: the next due attempt connects
        NettyTransport receiver = track(builder(1).bind("127.0.0.1", port).peer(2, "127.0.0.1:1").build());
        List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.connect(1, 1, m -> received.add(TestMessages.detach(m)));
        Await.until("the peer is reached after it starts", Duration.ofSeconds(10), () -> {
            endpoint.send(vote);
            LockSupport.parkNanos(5_000_000);
            return !received.isEmpty();
        });
    }

    @Test
    void anEntryLargerThanTheMaximumFrameIsRefusedAndALargeBatchIsCutToWhatFits() {
        NettyTransport receiver = track(builder(1).peer(2, "127.0.0.1:1").maxFrameBytes(16 << 10).build());
        List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.connect(1, 1, m -> received.add(TestMessages.detach(m)));
        NettyTransport sender = track(builder(2).peer(1, "127.0.0.1:" + receiver.localAddress().getPort())
                .maxFrameBytes(16 << 10).build());
        RaftTransport endpoint = sender.connect(1, 2, m -> true);
        Await.until("connected", () -> endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true)));

        assertThat(endpoint.send(append(16 << 10))).isFalse();
        assertThat(sender.stats().sendsRefusedTooLarge()).isEqualTo(1);

        HeapLogEntries.Builder batch = HeapLogEntries.builder(1);
        for (int i = 0; i < 8; i++) {
            batch.add(1, EntryKind.COMMAND, new byte[4096]);
        }
        assertThat(endpoint.send(new AppendEntriesRequest(2, 1, 1, LogId.ZERO, batch.build(), 0))).isTrue();
        Await.until("the cut batch arrives", () -> received.size() == 2);
        AppendEntriesRequest arrived = (AppendEntriesRequest) received.get(1);
        assertThat(arrived.entries().count()).isEqualTo(3); // 3 x (4096 + 13) + 62 <= 16 KiB < 4 x ...
        assertThat(sender.stats().appendsTruncated()).isEqualTo(1);
    }

    @Test
    void aForwardedCommandLargerThanTheMaximumFrameIsRefusedAndOneThatFitsArrives() {
        int maxFrame = 16 << 10;
        NettyTransport receiver = track(builder(1).peer(2, "127.0.0.1:1").maxFrameBytes(1 << 20).build());
        List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.connect(1, 1, m -> received.add(TestMessages.detach(m)));
        NettyTransport sender = track(builder(2).peer(1, "127.0.0.1:" + receiver.localAddress().getPort())
                .maxFrameBytes(maxFrame).build());
        RaftTransport endpoint = sender.connect(1, 2, m -> true);
        Await.until("connected", () -> endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true)));

        // 54 bytes of header and fixed fields: a command one byte larger than what fits
        assertThat(endpoint.send(new ForwardProposal(2, 1, 1, 1, new byte[maxFrame - 54 + 1]))).isFalse();
        assertThat(sender.stats().sendsRefusedTooLarge()).isEqualTo(1);
        assertThat(sender.stats().framesSent()).isEqualTo(1);

        byte[] command = new byte[maxFrame - 54];
        new java.util.Random(11).nextBytes(command);
        assertThat(endpoint.send(new ForwardProposal(2, 1, 1, 2, command))).isTrue();
        Await.until("the command arrives", () -> received.size() == 2);
        ForwardProposal arrived = (ForwardProposal) received.get(1);
        assertThat(arrived.requestId()).isEqualTo(2);
        assertThat(arrived.command()).isEqualTo(command);
        assertThat(receiver.stats().protocolErrors()).isZero();
    }

    @Test
    void aSnapshotChunkLargerThanTheMaximumFrameIsRefusedAndOneThatFitsArrives() {
        int maxFrame = 16 << 10;
        NettyTransport receiver = track(builder(1).peer(2, "127.0.0.1:1").peer(3, "127.0.0.1:1")
                .maxFrameBytes(1 << 20).build());
        List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.connect(1, 1, m -> received.add(TestMessages.detach(m)));
        NettyTransport sender = track(builder(2).peer(1, "127.0.0.1:" + receiver.localAddress().getPort())
                .maxFrameBytes(maxFrame).build());
        RaftTransport endpoint = sender.connect(1, 2, m -> true);
        Await.until("connected", () -> endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true)));

        // 67 bytes of header and fixed fields, 100 of membership: a chunk one byte larger than what fits
        byte[] membership = new byte[100];
        InstallSnapshotRequest tooLarge = new InstallSnapshotRequest(2, 1, 1, new LogId(1, 50), membership, 0,
                new byte[maxFrame - 67 - 100 + 1], false);
        assertThat(endpoint.send(tooLarge)).isFalse();
        assertThat(sender.stats().sendsRefusedTooLarge()).isEqualTo(1);
        // a membership over 64 KiB is refused whatever the frame limit
        NettyTransport roomy = track(builder(3).peer(1, "127.0.0.1:" + receiver.localAddress().getPort())
                .maxFrameBytes(1 << 20).build());
        RaftTransport roomyEndpoint = roomy.connect(1, 3, m -> true);
        Await.until("connected", () -> roomyEndpoint.send(new VoteRequest(3, 1, 1, LogId.ZERO, true)));
        assertThat(roomyEndpoint.send(new InstallSnapshotRequest(3, 1, 1, new LogId(1, 50), new byte[(64 << 10) + 1],
                0, new byte[0], true))).isFalse();
        assertThat(roomy.stats().sendsRefusedTooLarge()).isEqualTo(1);
        assertThat(roomy.stats().framesSent()).isEqualTo(1);

        byte[] data = new byte[maxFrame - 67 - 100];
        new java.util.Random(7).nextBytes(data);
        InstallSnapshotRequest exact = new InstallSnapshotRequest(2, 1, 1, new LogId(1, 50), membership, 0, data, true);
        assertThat(endpoint.send(exact)).isTrue();
        Await.until("the chunk arrives", () -> received.size() == 3);
        InstallSnapshotRequest arrived = received.stream().filter(InstallSnapshotRequest.class::isInstance)
                .map(InstallSnapshotRequest.class::cast).findFirst().orElseThrow();
        assertThat(arrived.data()).isEqualTo(data);
        assertThat(arrived.done()).isTrue();
        assertThat(receiver.stats().protocolErrors()).isZero();
    }
}
