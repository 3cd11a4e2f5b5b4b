package io.ringraft.internal.host.link;

import io.ringraft.local.LocalNetwork;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LocalNetwork} that counts every message its endpoints accept for sending, by kind, and can
 * cut a process off (every message to or from its node id, of any group, is lost). One instance is the
 * whole network: every host's link wraps it.
 */
final class CountingNetwork implements RaftTransportFactory {

    private final LocalNetwork network = new LocalNetwork();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Set<Long> cut = ConcurrentHashMap.newKeySet();
    private final AtomicLong total = new AtomicLong();

    @Override
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        RaftTransport endpoint = network.connect(groupId, selfId, message -> !cut.contains(selfId) && inbound.offer(message));
        return new RaftTransport() {
            @Override
            public boolean send(RaftMessage message) {
                if (cut.contains(selfId) || cut.contains(message.to())) {
                    return true; // lost on the wire
                }
                boolean accepted = endpoint.send(message);
                if (accepted) {
                    total.incrementAndGet();
                    counts.computeIfAbsent(kind(message), k -> new AtomicLong()).incrementAndGet();
                }
                return accepted;
            }

            @Override
            public void close() {
                endpoint.close();
            }
        };
    }

    static String kind(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request) {
            return request.entries().count() == 0 ? "Heartbeat" : "AppendEntriesRequest";
        }
        return message.getClass().getSimpleName();
    }

    /** {@return how many messages of {@code kind} (a simple class name, or "Heartbeat") were sent} */
    long count(String kind) {
        AtomicLong count = counts.get(kind);
        return count == null ? 0 : count.get();
    }

    /** {@return the counts so far, by kind (a copy)} */
    Map<String, Long> counts() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        counts.forEach((kind, count) -> copy.put(kind, count.get()));
        return copy;
    }

    /** {@return how many messages were sent in all} */
    long total() {
        return total.get();
    }

    void cut(long nodeId) {
        cut.add(nodeId);
    }

    void heal(long nodeId) {
        cut.remove(nodeId);
    }
}
