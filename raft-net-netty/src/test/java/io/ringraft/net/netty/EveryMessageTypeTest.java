package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import io.ringraft.message.TimeoutNow;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import io.ringraft.net.netty.internal.codec.TestMessages;
import io.ringraft.spi.RaftTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One message of every type crosses a real TCP connection intact and in order. */
class EveryMessageTypeTest {

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport transport(long nodeId) {
        NettyTransport transport = NettyTransport.builder().clusterId("types").nodeId(nodeId)
                .bind("127.0.0.1", 0).eventLoopThreads(1).build();
        transports.add(transport);
        return transport;
    }

    @Test
    void everyMessageTypeArrivesIntact() {
        NettyTransport receiver = transport(1);
        receiver.peer(2, "127.0.0.1:1");
        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        receiver.connect(9, 1, m -> received.add(TestMessages.detach(m))); // keeps a copy, releases the message
        NettyTransport sender = transport(2);
        sender.peer(1, "127.0.0.1:" + receiver.localAddress().getPort());
        RaftTransport endpoint = sender.connect(9, 2, m -> true);
        VoteRequest first = new VoteRequest(2, 1, 1, LogId.ZERO, true);
        Await.until("connected", () -> endpoint.send(first));

        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20]; // a default-sized snapshot chunk, in the default 4 MiB frame
        random.nextBytes(chunk);
        byte[] membership = new byte[200];
        random.nextBytes(membership);
        LogEntries entries = HeapLogEntries.builder(8).add(3, EntryKind.COMMAND, new byte[] {1, 2, 3})
                .add(4, EntryKind.NOOP, new byte[0]).build();
        List<RaftMessage> messages = List.of(
                new VoteResponse(2, 1, 4, true, false),
                new AppendEntriesRequest(2, 1, 4, new LogId(3, 7), entries, 7),
                new AppendEntriesRequest(2, 1, 4, new LogId(4, 9), LogEntries.empty(10), 9),
                AppendEntriesResponse.rejected(2, 1, 4, 12, new LogId(3, 8)),
                new ReadIndexRequest(2, 1, 4, 77),
                new ReadIndexResponse(2, 1, 4, 77, true, 9),
                new LeadershipProbe(2, 1, 4, 5),
                new LeadershipProbeAck(2, 1, 4, 5),
                new TimeoutNow(2, 1, 4),
                new Quiesce(2, 1, 4, new LogId(4, 12)),
                new InstallSnapshotRequest(2, 1, 4, new LogId(3, 500), membership, 0, chunk, false),
                new InstallSnapshotRequest(2, 1, 4, new LogId(3, 500), membership, chunk.length, new byte[0], true),
                InstallSnapshotResponse.progress(2, 1, 4, new LogId(3, 500), chunk.length),
                InstallSnapshotResponse.installed(2, 1, 4, new LogId(3, 500), 500),
                new ForwardProposal(2, 1, 4, 31, new byte[] {5, 6, 7, 8}),
                new ForwardProposal(2, 1, 4, 32, new byte[0]),
                new ForwardProposalResult(2, 1, 4, 31, ForwardProposalResult.Outcome.APPENDED, new LogId(4, 11), 0),
                new ForwardProposalResult(2, 1, 5, 32, ForwardProposalResult.Outcome.NOT_LEADER, LogId.ZERO, 3));
        // host-level batches travel under the reserved host group, between the processes' host endpoints
        List<RaftMessage> hostMessages = List.of(
                new HeartbeatBatch(2, 1, new long[] {9, -4}, new long[] {4, 4}, new long[] {3, 4}, new long[] {7, 9},
                        new long[] {7, 9}),
                HeartbeatBatch.keepAlive(2, 1),
                new HeartbeatBatchResponse(2, 1, new long[] {9, 11}, new long[] {4, 5}, new long[] {2},
                        new long[] {0, 12}, new long[] {7, 0}, new long[] {3, 0}, new long[] {6, 0}));
        List<RaftMessage> hostReceived = new CopyOnWriteArrayList<>();
        receiver.connect(HeartbeatBatch.HOST_GROUP_ID, 1, hostReceived::add);
        RaftTransport hostEndpoint = sender.connect(HeartbeatBatch.HOST_GROUP_ID, 2, m -> true);
        Set<Class<?>> types = messages.stream().map(Object::getClass).collect(Collectors.toSet());
        hostMessages.forEach(m -> types.add(m.getClass()));
        types.add(VoteRequest.class);
        assertThat(types).as("every permitted message type").hasSameSizeAs(RaftMessage.class.getPermittedSubclasses());

        for (RaftMessage message : messages) { // a send refused while the connection drains is retried
            Await.until("sent " + message, () -> endpoint.send(message));
        }
        Await.until("everything arrived", Duration.ofSeconds(15), () -> received.size() == 1 + messages.size());
        assertThat(received.get(0)).isEqualTo(first);
        for (int i = 0; i < messages.size(); i++) {
            TestMessages.assertSame(received.get(i + 1), messages.get(i));
        }
        for (RaftMessage message : hostMessages) {
            Await.until("sent " + message, () -> hostEndpoint.send(message));
        }
        Await.until("every batch arrived", () -> hostReceived.size() == hostMessages.size());
        assertThat(hostReceived).isEqualTo(hostMessages);
        assertThat(receiver.stats().protocolErrors()).isZero();
        assertThat(sender.stats().sendsRefusedTooLarge()).isZero();
    }
}
