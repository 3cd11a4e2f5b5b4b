package io.ringraft.net.netty.internal.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.HeartbeatBatchResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.net.netty.internal.codec.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one outgoing connection of this process to one peer process (address), shared by every group
 * and node that sends there.
 *
 * <p><b>Lazy, with bounded backoff.</b> Nothing connects until a message is sent. A send while not
 * connected starts one attempt if none is running and the backoff delay has passed, and returns
 * false (the message is not queued: Raft resends). Failed attempts (refused connects and connections
 * closed before the handshake completed) and lost connections grow the jittered exponential delay up
 * to its bound (250 ms by default: a peer Raft keeps sending to is expected back, and every attempt
 * the backoff skips is time it stays unreachable after it is); a successful handshake resets it. No
 * timer runs for a peer that is down: attempts happen only on sends, at most once per delay.
 *
 * <p><b>Probed.</b> When a node registers with the transport, and when an address is added while
 * nodes are registered, every idle connection to another node is opened at once ({@link #probe}), so
 * the first messages do not meet a closed connection, and a restarted process announces itself.
 *
 * <p><b>Prompt after a heal.</b> When the peer connects to this process ({@link #peerReachable}: its
 * handshake on an accepted connection completed) while this connection is down, the backoff is
 * reset and an attempt starts at once: the network between the two works again, so waiting out the
 * delay would only delay the heal.
 *
 * <p><b>Bounded outbound.</b> A message is encoded into a pooled direct buffer on the sender's
 * thread (while its entries view is valid; if the view reports after encoding that the node reused
 * its ring slots meanwhile, {@code LogEntries.stillValid}, the frame is discarded and the send
 * refused) and taken only while the connection's backlog (what Netty holds plus what waits in its
 * {@link SendQueue}) is below the high water mark; votes, responses and heartbeats may also use a
 * small reserve above it, so a full pipeline of AppendEntries never starves them. A connection that
 * stays above the mark longer than the stall timeout is closed (a peer that stopped reading).
 *
 * <p><b>Batched writes.</b> Frames go to the connection's {@link SendQueue}, which its event loop
 * writes with one flush for everything queued since its last drain: the messages of many groups to
 * one peer process leave in one syscall ({@code TransportStats.flushes}).
 *
 * <p>Thread-safe: {@link #send} runs on replicator threads; state changes happen under this
 * object's lock (rare); the ready channel is a volatile read on the hot path.
 */
final class PeerConnection {

    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

    private final PeerAddress address;
    private final TransportContext context;
    private final Bootstrap template;
    private final ReconnectBackoff backoff;
    private final long controlAllowance;
    private final RateLimitedLog tooLargeLog = new RateLimitedLog(LOG, 5000);
    private final RateLimitedLog chunkTooLargeLog = new RateLimitedLog(LOG, 5000);
    private final RateLimitedLog forwardTooLargeLog = new RateLimitedLog(LOG, 5000);
    /**
     * Failed connection attempts and lost connections to this peer: the first at WARN, then at most one
     * WARN per {@value #FAILURE_WARN_INTERVAL_MILLIS} ms with the count suppressed; every one at DEBUG.
     */
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, FAILURE_WARN_INTERVAL_MILLIS);
    static final long FAILURE_WARN_INTERVAL_MILLIS = 30_000;

    /** The established connection's send queue (its channel), or null. */
    private volatile SendQueue ready;
    private volatile long unwritableSince;

    // guarded by this
    private Channel current;
    private boolean closed;
    private int failures;
    private long retryAt;
    /** Connection attempts that failed since the last handshake completed (for the recovery line). */
    private long failedAttempts;

    PeerConnection(PeerAddress address, TransportContext context, Bootstrap template, ReconnectBackoff backoff) {
        this.address = address;
        this.context = context;
        this.template = template;
        this.backoff = backoff;
        TransportSettings s = context.settings;
        this.controlAllowance = (long) s.highWaterMark() - s.lowWaterMark() + s.controlReserveBytes();
    }

    PeerAddress address() {
        return address;
    }

    /** Encodes and writes {@code message} of {@code groupId}; false if it cannot be taken now. */
    boolean send(long groupId, RaftMessage message) {
        SendQueue queue = ready;
        if (queue == null) {
            context.counters.sendsRefusedNotConnected.increment();
            connectIfDue();
            return false;
        }
        Channel channel = queue.channel;
        if (!admit(channel, queue.queuedBytes(), message)) {
            return false;
        }
        int maxFrame = context.settings.maxFrameBytes();
        if (message instanceof AppendEntriesRequest request && request.entries().count() > 0) {
            int fitting = MessageCodec.entriesFitting(request, maxFrame);
            if (fitting == 0) {
                context.counters.sendsRefusedTooLarge.increment();
                tooLargeLog.warn("cannot send entry {} to {}: it does not fit in maxFrameBytes {}",
                        request.prevLogId().index() + 1, address, maxFrame);
                return false;
            }
            if (fitting < request.entries().count()) {
                context.counters.appendsTruncated.increment();
            }
        } else if (message instanceof InstallSnapshotRequest chunk) {
            String problem = MessageCodec.unsendableReason(chunk, maxFrame);
            if (problem != null) {
                context.counters.sendsRefusedTooLarge.increment();
                chunkTooLargeLog.warn("cannot send snapshot {} chunk at offset {} to {}: {}", chunk.snapshot(),
                        chunk.offset(), address, problem);
                return false;
            }
        } else if (message instanceof HeartbeatBatch || message instanceof HeartbeatBatchResponse) {
            String problem = MessageCodec.unsendableReason(message, maxFrame);
            if (problem != null) {
                context.counters.sendsRefusedTooLarge.increment();
                tooLargeLog.warn("cannot send a heartbeat batch to {}: {}", address, problem);
                return false;
            }
        } else if (message instanceof ForwardProposal proposal) {
            String problem = MessageCodec.unsendableReason(proposal, maxFrame);
            if (problem != null) {
                context.counters.sendsRefusedTooLarge.increment();
                forwardTooLargeLog.warn("cannot forward request {} to {}: {}", proposal.requestId(), address, problem);
                return false;
            }
        }
        ByteBuf frame = MessageCodec.encode(channel.alloc(), groupId, message, maxFrame);
        if (message instanceof AppendEntriesRequest request && !request.entries().stillValid()) {
            // The entries were a view of ring slots the node reused while we copied them: the frame may
            // mix entries. Raft resends.
            frame.release();
            return false;
        }
        int bytes = frame.readableBytes();
        queue.add(frame);
        context.counters.framesSent.increment();
        context.counters.bytesSent.add(bytes);
        return true;
    }

    /**
     * Whether the connection takes {@code message} now: its backlog (Netty's pending bytes plus
     * {@code queued}, the bytes in its send queue) is below the high water mark, or the message is a
     * small control message and the backlog is within the control reserve above it.
     */
    private boolean admit(Channel channel, long queued, RaftMessage message) {
        if (!channel.isActive()) { // closed a moment ago; onClosed() will clear it
            context.counters.sendsRefusedNotConnected.increment();
            return false;
        }
        TransportSettings s = context.settings;
        // Netty's pending bytes, from what it reports on either side of its water marks
        long pending = channel.isWritable() ? s.highWaterMark() - channel.bytesBeforeUnwritable()
                : s.lowWaterMark() + channel.bytesBeforeWritable();
        long backlog = pending + queued;
        if (backlog < s.highWaterMark()) {
            unwritableSince = 0;
            return true;
        }
        long now = System.nanoTime() | 1; // never 0, which means "writable when last seen"
        long since = unwritableSince;
        if (since == 0) {
            unwritableSince = now;
        } else if (now - since > context.settings.stallTimeoutNanos()) {
            unwritableSince = 0;
            context.counters.stalledConnectionsClosed.increment();
            LOG.warn("closing connection to {}: unwritable for more than {} ms (peer not reading)", address,
                    context.settings.stallTimeoutNanos() / 1_000_000);
            channel.close();
            return false;
        }
        if (MessageCodec.isControl(message) && backlog - s.lowWaterMark() <= controlAllowance) {
            return true;
        }
        context.counters.sendsRefusedUnwritable.increment();
        return false;
    }

    /** Connects now if idle and no backoff delay is running (any thread); see {@code ConnectionRegistry.probeAll}. */
    void probe() {
        connectIfDue();
    }

    private void connectIfDue() {
        synchronized (this) {
            if (closed || current != null || (failures > 0 && System.nanoTime() - retryAt < 0)) {
                return;
            }
            context.counters.connectAttempts.increment();
            ChannelFuture future;
            try {
                future = template.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        Pipelines.initOutgoing(channel, context, PeerConnection.this);
                    }
                }).connect(address.unresolved());
            } catch (RuntimeException e) { // event loop shut down
                failed(e.toString());
                return;
            }
            Channel channel = future.channel();
            current = channel;
            future.addListener(f -> {
                if (!f.isSuccess()) {
                    context.counters.connectFailures.increment();
                    String cause = f.cause() == null ? "cancelled" : f.cause().toString();
                    LOG.debug("cannot connect to {}: {}", address, cause);
                    connectFailed(cause);
                    channel.close();
                }
            });
            channel.closeFuture().addListener(f -> onClosed(channel));
        }
    }

    /** The handshake completed on {@code channel}: start sending (event loop). */
    void onReady(Channel channel) {
        synchronized (this) {
            if (closed || current != channel) {
                channel.close();
                return;
            }
            failures = 0;
            unwritableSince = 0;
            ready = new SendQueue(channel, context.counters);
            if (failedAttempts > 0) {
                LOG.info("connected to {} after {} failed attempts", address, failedAttempts);
            }
            failedAttempts = 0;
            failureLog.rearm();
        }
    }

    private void onClosed(Channel channel) {
        synchronized (this) {
            if (current != channel) {
                return;
            }
            current = null;
            SendQueue queue = ready;
            if (queue != null && queue.channel == channel) {
                ready = null;
                failures = 1; // lost an established connection: retry soon
                LOG.debug("connection to {} closed", address);
                failureLog.warn("connection to {} closed; reconnecting on the next send", address);
            } else {
                failures = Math.min(failures + 1, 1000);
                failedAttempts++;
            }
            long delay = backoff.delayNanos(failures);
            retryAt = System.nanoTime() + delay;
            LOG.debug("next connection attempt to {} in {} ms at the earliest (consecutive failures: {})", address,
                    delay / 1_000_000, failures);
        }
    }

    /**
     * The peer behind this address just completed a handshake on a connection it opened to this process
     * (event loop): the network works both ways again, so an idle connection attempt is due now, whatever
     * the backoff said.
     */
    void peerReachable() {
        synchronized (this) {
            if (closed || current != null || failures == 0) {
                return; // connected, connecting, or never failed (the next send connects)
            }
            failures = 0;
            LOG.debug("{} connected to this process: connecting back now", address);
        }
        connectIfDue();
    }

    private void failed(String reason) {
        LOG.debug("cannot connect to {}: {}", address, reason);
        connectFailed(reason);
        failedAttempts++;
        failures = Math.min(failures + 1, 1000);
        retryAt = System.nanoTime() + backoff.delayNanos(failures);
    }

    /** A connection attempt failed (any thread): WARN, rate limited per peer. */
    private void connectFailed(String reason) {
        failureLog.warn("cannot connect to {}: {}; retrying with backoff", address, reason);
    }

    /** Closes the connection for good; later sends return false. */
    void close() {
        Channel channel;
        synchronized (this) {
            closed = true;
            ready = null;
            channel = current;
        }
        if (channel != null) {
            channel.close();
        }
    }
}
