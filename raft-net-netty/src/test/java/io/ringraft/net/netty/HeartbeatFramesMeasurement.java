package io.ringraft.net.netty;

import io.ringraft.api.LogId;
import io.ringraft.internal.host.link.HostLink;
import io.ringraft.internal.host.link.LinkSettings;
import io.ringraft.internal.host.link.PeerListener;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (its name keeps it out of the suites): TCP frames per heartbeat interval
 * between 3 processes running {@value #GROUPS} groups, each group led on one process (round robin)
 * and followed on the other two, with and without {@link HostLink}. Each interval, every leader sends
 * its heartbeat to both followers, every follower answers (success at the heartbeat's previous
 * index, what a caught-up follower says), and with the link each process flushes once to send the
 * heartbeats and once to send the answers. Counts come from the transports' own counters
 * ({@code framesSent}, {@code bytesSent}); warm-up frames are excluded. Run with
 * {@code ./mvnw -o -q -pl raft-net-netty -am test -Dtest=HeartbeatFramesMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class HeartbeatFramesMeasurement {

    private static final int GROUPS = 1000;
    private static final int INTERVALS = 20;
    private static final long[] IDS = {1, 2, 3};

    @Test
    void measure() throws Exception {
        run(false); // warm-up of the JIT and the pools, not reported
        long[] direct = run(false);
        long[] linked = run(true);
        System.out.printf("%n%d groups, 3 processes, %d heartbeat intervals (each: 2 heartbeats and 2 answers per group)%n",
                GROUPS, INTERVALS);
        System.out.printf("%-16s %18s %18s %22s%n", "", "frames / interval", "bytes / interval",
                "heartbeats+answers / frame");
        print("without HostLink", direct);
        print("with HostLink", linked);
    }

    private static void print(String name, long[] result) {
        System.out.printf("%-16s %18.1f %18.1f %22.1f%n", name, (double) result[0] / INTERVALS,
                (double) result[1] / INTERVALS, 4.0 * GROUPS * INTERVALS / result[0]);
    }

    /** {@return frames and bytes sent by all three processes over the measured intervals} */
    private static long[] run(boolean withLink) throws Exception {
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            NettyTransport[] transports = new NettyTransport[IDS.length];
            for (int h = 0; h < IDS.length; h++) {
                transports[h] = NettyTransport.builder().clusterId("frames").nodeId(IDS[h]).bind("127.0.0.1", 0)
                        .eventLoopThreads(1).build();
                closeables.add(transports[h]);
            }
            for (int h = 0; h < IDS.length; h++) {
                for (int p = 0; p < IDS.length; p++) {
                    if (p != h) {
                        transports[h].peer(IDS[p], "127.0.0.1:" + transports[p].localAddress().getPort());
                    }
                }
            }
            HostLink[] links = new HostLink[IDS.length];
            RaftTransportFactory[] factories = new RaftTransportFactory[IDS.length];
            for (int h = 0; h < IDS.length; h++) {
                if (withLink) {
                    links[h] = new HostLink(transports[h], IDS[h], LinkSettings.defaults(), PeerListener.NONE);
                    closeables.add(links[h]);
                    factories[h] = links[h];
                } else {
                    factories[h] = transports[h];
                }
            }
            AtomicLong heartbeats = new AtomicLong();
            AtomicLong answers = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            RaftTransport[][] endpoints = new RaftTransport[IDS.length][GROUPS];
            for (int h = 0; h < IDS.length; h++) {
                for (int g = 0; g < GROUPS; g++) {
                    RaftTransport[] self = new RaftTransport[1];
                    self[0] = factories[h].connect(g + 1, IDS[h], message -> {
                        if (message instanceof AppendEntriesRequest heartbeat) {
                            heartbeats.incrementAndGet();
                            if (!self[0].send(AppendEntriesResponse.success(heartbeat.to(), heartbeat.from(),
                                    heartbeat.term(), heartbeat.prevLogId().index()))) {
                                refused.incrementAndGet();
                            }
                        } else if (message instanceof AppendEntriesResponse) {
                            answers.incrementAndGet();
                        }
                        return true;
                    });
                    endpoints[h][g] = self[0];
                }
            }
            // warm-up: every process connects to every other (the first send only starts a connection)
            for (int h = 0; h < IDS.length; h++) {
                for (int p = 0; p < IDS.length; p++) {
                    if (p != h) {
                        RaftTransport endpoint = endpoints[h][0];
                        RaftMessage hello = new VoteRequest(IDS[h], IDS[p], 0, LogId.ZERO, true);
                        Await.until("connected", () -> endpoint.send(hello));
                    }
                }
            }
            long frames = 0;
            long bytes = 0;
            for (NettyTransport t : transports) {
                frames -= t.stats().framesSent();
                bytes -= t.stats().bytesSent();
            }
            for (int i = 1; i <= INTERVALS; i++) {
                for (int g = 0; g < GROUPS; g++) {
                    int leader = g % IDS.length;
                    for (int f = 0; f < IDS.length; f++) {
                        if (f != leader && !endpoints[leader][g].send(new AppendEntriesRequest(IDS[leader], IDS[f], 1,
                                new LogId(1, i), LogEntries.empty(i + 1), i))) {
                            refused.incrementAndGet();
                        }
                    }
                }
                flush(links);
                long expected = 2L * GROUPS * i;
                Await.until("heartbeats of interval " + i, Duration.ofSeconds(60), () -> heartbeats.get() >= expected);
                flush(links);
                Await.until("answers of interval " + i, Duration.ofSeconds(60), () -> answers.get() >= expected);
            }
            for (NettyTransport t : transports) {
                frames += t.stats().framesSent();
                bytes += t.stats().bytesSent();
            }
            if (refused.get() > 0) {
                throw new AssertionError(refused.get() + " sends refused: the counts would be wrong");
            }
            return new long[] {frames, bytes};
        } finally {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
        }
    }

    private static void flush(HostLink[] links) {
        for (HostLink link : links) {
            if (link != null) {
                link.flush();
            }
        }
    }
}
