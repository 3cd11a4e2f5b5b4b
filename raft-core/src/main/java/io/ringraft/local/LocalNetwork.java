package io.ringraft.local;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An in-process network: nodes of one JVM send each other messages directly, for tests and
 * single-JVM clusters. One {@code LocalNetwork} is one network; pass it as the transport factory of
 * every node that should see the others.
 *
 * <p>Sending copies an AppendEntries' entries (the sender's view is only valid during the call),
 * refuses the send if the view was no longer valid after the copy ({@code LogEntries.stillValid}), and
 * offers the message to the receiver's bounded inbound queue; a full queue or an unknown or stopped
 * receiver drops the message, as a real network may. {@link #isolate} and {@link #heal} cut and
 * restore a node's links for tests. Thread-safe; nothing here blocks.
 */
public final class LocalNetwork implements RaftTransportFactory {

    /** A network with no nodes yet; each node joins it when it connects. */
    public LocalNetwork() {
    }

    private record Address(long groupId, long nodeId) {
    }

    private final ConcurrentMap<Address, InboundHandler> nodes = new ConcurrentHashMap<>();
    private final ConcurrentMap<Address, Boolean> isolated = new ConcurrentHashMap<>();

    @Override
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        Address self = new Address(groupId, selfId);
        if (nodes.putIfAbsent(self, inbound) != null) {
            throw new IllegalStateException("node " + selfId + " of group " + groupId
                    + " is already connected to this network");
        }
        return new RaftTransport() {
            @Override
            public boolean send(RaftMessage message) {
                Address to = new Address(groupId, message.to());
                if (isolated.containsKey(self) || isolated.containsKey(to)) {
                    return true; // lost on the wire
                }
                InboundHandler receiver = nodes.get(to);
                if (receiver == null) {
                    return false;
                }
                RaftMessage copy = copy(message);
                return copy != null && receiver.offer(copy);
            }

            @Override
            public void close() {
                nodes.remove(self, inbound);
            }
        };
    }

    /**
     * Drops every message to or from the node until {@link #heal} (a network partition of one).
     *
     * @param groupId the node's group
     * @param nodeId the node's id
     */
    public void isolate(long groupId, long nodeId) {
        isolated.put(new Address(groupId, nodeId), Boolean.TRUE);
    }

    /**
     * Restores the node's links.
     *
     * @param groupId the node's group
     * @param nodeId the node's id
     */
    public void heal(long groupId, long nodeId) {
        isolated.remove(new Address(groupId, nodeId));
    }

    /** The message with its own copy of the entries; null if the sender's view changed while copied. */
    private static RaftMessage copy(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request && request.entries().count() > 0) {
            HeapLogEntries entries = HeapLogEntries.copyOf(request.entries());
            if (!request.entries().stillValid()) {
                return null;
            }
            return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                    entries, request.leaderCommit());
        }
        return message;
    }
}
