package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.net.netty.internal.codec.TestMessages;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An AppendEntries whose entries view is no longer valid after encoding (ring slots reused while the
 * transport copied them) is refused and never reaches the peer; the next valid one does.
 */
class StaleEntriesRefusedTest {

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport transport(long nodeId) {
        NettyTransport transport = NettyTransport.builder().clusterId("stale").nodeId(nodeId)
                .bind("127.0.0.1", 0).eventLoopThreads(1).build();
        transports.add(transport);
        return transport;
    }

    /** Entries whose view turns invalid once read: what a ring view reports after its slots were reused. */
    private static final class ReusedWhileCopied implements LogEntries {
        private final LogEntries source;
        final AtomicInteger validityChecks = new AtomicInteger();
        boolean payloadRead;

        ReusedWhileCopied(LogEntries source) {
            this.source = source;
        }

        @Override
        public long firstIndex() {
            return source.firstIndex();
        }

        @Override
        public int count() {
            return source.count();
        }

        @Override
        public long termAt(int offset) {
            return source.termAt(offset);
        }

        @Override
        public EntryKind kindAt(int offset) {
            return source.kindAt(offset);
        }

        @Override
        public Bytes payloadAt(int offset) {
            payloadRead = true;
            return source.payloadAt(offset);
        }

        @Override
        public boolean stillValid() {
            validityChecks.incrementAndGet();
            return !payloadRead;
        }
    }

    @Test
    void aViewThatChangedWhileEncodedIsNeverSent() {
        NettyTransport receiver = transport(1);
        receiver.peer(2, "127.0.0.1:1");
        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        receiver.connect(9, 1, m -> received.add(TestMessages.detach(m)));
        NettyTransport sender = transport(2);
        sender.peer(1, "127.0.0.1:" + receiver.localAddress().getPort());
        RaftTransport endpoint = sender.connect(9, 2, m -> true);
        Await.until("connected", () -> endpoint.send(new VoteRequest(2, 1, 1, LogId.ZERO, true)));

        LogEntries entries = HeapLogEntries.builder(8).add(3, EntryKind.COMMAND, new byte[] {1, 2, 3}).build();
        ReusedWhileCopied stale = new ReusedWhileCopied(entries);
        assertThat(endpoint.send(new AppendEntriesRequest(2, 1, 3, new LogId(3, 7), stale, 7))).isFalse();
        assertThat(stale.validityChecks).as("checked after encoding").hasValue(1);

        AppendEntriesRequest valid = new AppendEntriesRequest(2, 1, 3, new LogId(3, 7), entries, 8);
        Await.until("sent the valid one", () -> endpoint.send(valid));
        Await.until("arrived", Duration.ofSeconds(15), () -> received.size() == 2);
        TestMessages.assertSame(received.get(1), valid);
    }
}
