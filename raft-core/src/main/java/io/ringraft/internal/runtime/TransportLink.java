package io.ringraft.internal.runtime;

import io.ringraft.internal.runtime.tasks.PeerSender;
import io.ringraft.internal.runtime.tasks.SnapshotInstaller;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;

/**
 * The node's end of its transport, given to the tasks that send (each {@link PeerSender}, and the
 * applier's {@link SnapshotInstaller}) when they are built. The transport itself only exists once
 * the node starts: the {@code RaftTransportFactory} contract connects a node when it starts, and the
 * tasks are built before (an application with external scheduling may take them before it starts
 * the node). So this is the one thing a task is handed before it is complete.
 *
 * <p><b>Happens-before.</b> {@link #connect} is called by {@code NodeRuntime.start()} before it starts
 * any task thread, and the field is volatile: a task run by the node's own threads sees the transport
 * through {@code Thread.start}, and one run by threads the application owns sees it through the
 * volatile read (one per send, as reading the transport always cost). A task that runs before the
 * node started sends nothing ({@link #send} is false: the message is dropped, and Raft resends).
 *
 * <p>{@link #send} is called from the sending tasks' threads and never blocks (the transport's send
 * does not); {@link #connect} and {@link #close()} once each, by the thread that starts or closes the
 * node.
 */
public final class TransportLink {

    private volatile RaftTransport transport;

    /** Start only: the transport every later {@link #send} goes through. */
    void connect(RaftTransport connected) {
        if (transport != null) {
            throw new IllegalStateException("the node's transport is connected already");
        }
        transport = connected;
    }

    /**
     * Hands {@code message} to the transport.
     *
     * @return false if the transport refused it (its outbound buffer is full, or the peer is unknown),
     *         or the node has not started
     * @throws RuntimeException whatever the transport throws (a transport must not, but the callers
     *                          guard against one that does)
     */
    public boolean send(RaftMessage message) {
        RaftTransport connected = transport;
        return connected != null && connected.send(message);
    }

    /** Close only: closes the transport, if the node started. */
    void close() {
        RaftTransport connected = transport;
        if (connected != null) {
            connected.close();
        }
    }
}
