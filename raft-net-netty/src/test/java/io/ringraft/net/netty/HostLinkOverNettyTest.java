package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.internal.host.link.HostLink;
import io.ringraft.internal.host.link.LinkSettings;
import io.ringraft.internal.host.link.PeerListener;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host links over real TCP: the Netty transport routes the reserved host group's frames to the link,
 * which splits them into every group's heartbeat; the answers come back the same way; the wire carries
 * one frame per peer process per flush, not one per group.
 */
class HostLinkOverNettyTest {

    private static final int GROUPS = 50;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private record Host(NettyTransport transport, HostLink link, Map<Long, RaftTransport> endpoints,
                        Map<Long, List<RaftMessage>> received) {
    }

    private Host host(long id) {
        NettyTransport transport = NettyTransport.builder().clusterId("link").nodeId(id).bind("127.0.0.1", 0)
                .eventLoopThreads(1).build();
        closeables.add(transport);
        HostLink link = new HostLink(transport, id, LinkSettings.defaults(), PeerListener.NONE);
        closeables.add(link);
        Map<Long, RaftTransport> endpoints = new ConcurrentHashMap<>();
        Map<Long, List<RaftMessage>> received = new ConcurrentHashMap<>();
        for (long g = 1; g <= GROUPS; g++) {
            List<RaftMessage> inbox = new CopyOnWriteArrayList<>();
            received.put(g, inbox);
            endpoints.put(g, link.connect(g, id, inbox::add));
        }
        return new Host(transport, link, endpoints, received);
    }

    @Test
    void batchesCrossTcpAsOneFramePerPeerAndSplitIntoEveryGroupsMessage() {
        Host one = host(1);
        Host two = host(2);
        Host three = host(3);
        for (Host h : List.of(one, two, three)) {
            for (Host other : List.of(one, two, three)) {
                if (other != h) {
                    h.transport().peer(other.link().selfId(), "127.0.0.1:" + other.transport().localAddress().getPort());
                }
            }
        }
        // connect first (the first sends to a peer only start its connection): keep-alives until each
        // host's two connections carried one
        for (Host h : List.of(one, two, three)) {
            for (long peer = 1; peer <= 3; peer++) {
                if (peer != h.link().selfId()) {
                    h.link().addPeer(peer);
                }
            }
            Await.until("host " + h.link().selfId() + " connected", () -> {
                h.link().keepAlive(System.nanoTime());
                return h.transport().stats().framesSent() >= 2;
            });
        }
        long framesBefore = one.transport().stats().framesSent();

        for (long g = 1; g <= GROUPS; g++) {
            for (long peer = 2; peer <= 3; peer++) {
                assertThat(one.endpoints().get(g).send(new AppendEntriesRequest(1, peer, 3, new LogId(3, 100 + g),
                        LogEntries.empty(101 + g), 90 + g))).isTrue();
            }
        }
        assertThat(one.link().flush()).isEqualTo(2);
        assertThat(one.transport().stats().framesSent() - framesBefore).as("one frame per peer process").isEqualTo(2);
        for (Host follower : List.of(two, three)) {
            long peer = follower.link().selfId();
            Await.until("every group of host " + peer + " got its heartbeat",
                    () -> follower.received().values().stream().allMatch(inbox -> inbox.size() == 1));
            for (long g = 1; g <= GROUPS; g++) {
                assertThat(follower.received().get(g)).containsExactly(new AppendEntriesRequest(1, peer, 3,
                        new LogId(3, 100 + g), LogEntries.empty(101 + g), 90 + g));
                assertThat(follower.endpoints().get(g).send(AppendEntriesResponse.success(peer, 1, 3, 100 + g))).isTrue();
            }
            long before = follower.transport().stats().framesSent();
            assertThat(follower.link().flush()).isEqualTo(1);
            assertThat(follower.transport().stats().framesSent() - before).isEqualTo(1);
        }
        Await.until("every group of host 1 got both answers",
                () -> one.received().values().stream().allMatch(inbox -> inbox.size() == 2));
        for (long g = 1; g <= GROUPS; g++) {
            assertThat(one.received().get(g)).containsExactlyInAnyOrder(AppendEntriesResponse.success(2, 1, 3, 100 + g),
                    AppendEntriesResponse.success(3, 1, 3, 100 + g));
        }
        assertThat(one.link().stats().droppedUnknownGroup()).isZero();
        assertThat(one.transport().stats().protocolErrors()).isZero();
        assertThat(two.transport().stats().inboundDroppedNoNode()).isZero();
    }
}
