package io.ringraft.net.netty.internal.client;

import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.ClientException.Reason;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.HistoryPurgedException;
import io.ringraft.messaging.RemoteSubscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a remote subscription: subscribes at one replica of the group (members in turn), keeps
 * the batches it receives in a queue of {@code window} slots, grants one batch of credit per batch the
 * consumer takes, and after a lost connection, a replica that stops serving or a batch that does not follow
 * the last one, subscribes again at the next member from the index after the last batch it received.
 *
 * <p><b>Credit.</b> {@code free} counts the queue's slots not promised to the current serving replica's
 * unsent batches plus the batches waiting: a new subscription starts with {@code free} credit, a received batch
 * takes one, a batch the consumer takes gives one back (and sends CREDIT 1 to the current replica). So the
 * current replica's credit always equals {@code free}, and the queue never holds more than {@code window}
 * batches; a batch arriving with no free slot breaks that rule and is answered by subscribing again.
 * Thread-safe: the client's event loop delivers, the consumer polls; the state is guarded by this object.
 */
final class RemoteLogSubscription implements RemoteSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteLogSubscription.class);
    private static final long POLL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final long groupId;
    private final ClientLinks links;
    private final Supplier<long[]> members;
    private final SubscriptionSpec spec;
    private final ArrayBlockingQueue<SubscriptionBatch> queue;
    /** The index after the last batch received (where a new subscription starts). */
    private long receivedNext;
    /** The index after the last batch taken by the consumer. */
    private volatile long nextIndex;
    private int free;
    private long currentRequest;
    private NodeLink currentLink;
    private int rotate;
    private int failures;
    private long resubscriptions;
    private boolean closed;
    private volatile RuntimeException terminal;

    RemoteLogSubscription(long groupId, ClientLinks links, Supplier<long[]> members, SubscriptionSpec spec) {
        this.groupId = groupId;
        this.links = links;
        this.members = members;
        this.spec = spec;
        this.queue = new ArrayBlockingQueue<>(spec.window());
        this.free = spec.window();
        this.receivedNext = spec.fromIndex();
        this.nextIndex = spec.fromIndex();
        this.rotate = Math.floorMod(groupId, 7);
    }

    /**
     * Subscribes at the next member, from the index after the last batch received. Never calls a link while
     * holding this object's lock (a link may call back into it, holding its own).
     */
    void start() {
        NodeLink link;
        long requestId;
        SubscriptionSpec from;
        synchronized (this) {
            if (closed || terminal != null || currentRequest != 0) {
                return;
            }
            long[] candidates = members.get();
            if (candidates.length == 0) {
                terminal = new ClientException(Reason.UNAVAILABLE, false, 0, "no address known for any member of group "
                        + groupId);
                return;
            }
            long node = candidates[Math.floorMod(rotate++, candidates.length)];
            link = links.link(node);
            requestId = links.nextRequestId();
            currentRequest = requestId;
            currentLink = link;
            from = new SubscriptionSpec(receivedNext, spec.window(), free, spec.maxBatchEntries(), spec.maxBatchBytes(), spec.filter());
        }
        link.register(requestId, this);
        link.sendOneWay(new ClientRequest(groupId, requestId, ClientOp.SUBSCRIBE, 0, 0, 0, false, 0, 0,
                SubscriptionCodec.encodeSpec(from))).whenComplete((sent, error) -> {
                    if (error != null) {
                        link.unregister(requestId);
                        lost(requestId, String.valueOf(error.getMessage()));
                    }
                });
    }

    /** A batch for subscription {@code requestId} (client event loop). */
    void batch(NodeLink link, SubscriptionBatch batch) {
        synchronized (this) {
            if (batch.requestId() != currentRequest || closed) {
                return; // a late batch of an earlier subscription: its entries come again from the current one
            }
            if (batch.fromIndex() == receivedNext && free > 0) {
                free--;
                receivedNext = batch.nextIndex();
                failures = 0;
                queue.add(batch); // cannot fail: at most window - free batches wait
                return;
            }
            LOG.warn("group {}: node {} sent a batch from {} (expected {}) with {} credit left; subscribing again",
                    groupId, link.nodeId(), batch.fromIndex(), receivedNext, free);
            again();
        }
        link.unregister(batch.requestId());
        link.sendOneWay(unsubscribe(batch.requestId()));
    }

    /** The serving replica ended subscription {@code response.requestId()} (client event loop). */
    void ended(ClientResponse response) {
        synchronized (this) {
            if (response.requestId() != currentRequest || closed) {
                return;
            }
            switch (response.status()) {
                case PURGED -> {
                    ByteBuffer points = ByteBuffer.wrap(response.payload() == null ? new byte[16] : response.payload());
                    terminal = new HistoryPurgedException(groupId, receivedNext, points.getLong(), points.getLong());
                    currentRequest = 0;
                }
                case BAD_REQUEST -> {
                    terminal = new ClientException(Reason.BAD_REQUEST, false, 0, "node " + response.nodeId() + ": "
                            + response.message());
                    currentRequest = 0;
                }
                default -> {
                    LOG.debug("group {}: node {} ended the subscription: {} {}", groupId, response.nodeId(),
                            response.status(), response.message());
                    again();
                }
            }
        }
    }

    /** The connection that served subscription {@code requestId} was lost. */
    void lost(long requestId, String why) {
        synchronized (this) {
            if (requestId != currentRequest || closed) {
                return;
            }
            LOG.debug("group {}: subscription lost ({}); subscribing again from {}", groupId, why, receivedNext);
            again();
        }
    }

    /** Subscribes again at the next member after a backoff (5 to 200 ms, growing with failures in a row). Locked. */
    private void again() {
        currentRequest = 0;
        currentLink = null;
        resubscriptions++;
        failures++;
        links.schedule(this::start, Calls.backoffNanos(failures));
    }

    private ClientRequest unsubscribe(long requestId) {
        return new ClientRequest(groupId, links.nextRequestId(), ClientOp.UNSUBSCRIBE, requestId, 0, 0, false, 0, 0, null);
    }

    @Override
    public List<CommittedEntry> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SubscriptionBatch batch = queue.poll(Math.max(0, Math.min(POLL_SLICE_NANOS, deadline - System.nanoTime())),
                    TimeUnit.NANOSECONDS);
            if (batch != null) {
                taken(batch);
                return batch.entries();
            }
            RuntimeException failure = terminal;
            if (failure != null && queue.isEmpty()) {
                throw failure;
            }
            synchronized (this) {
                if (closed) {
                    throw new ClientException(Reason.CLOSED, false, 0, "the subscription was closed");
                }
            }
            if (deadline - System.nanoTime() <= 0) {
                return List.of();
            }
        }
    }

    private void taken(SubscriptionBatch batch) {
        nextIndex = batch.nextIndex();
        NodeLink link;
        long requestId;
        synchronized (this) {
            free++;
            if (currentRequest == 0 || closed) {
                return; // the next subscription starts with this slot's credit
            }
            link = currentLink;
            requestId = currentRequest;
        }
        link.sendOneWay(new ClientRequest(groupId, links.nextRequestId(), ClientOp.CREDIT, requestId, 1, 0, false, 0, 0,
                null)); // a lost grant goes with its connection: the next subscription counts the slot
    }

    @Override
    public long nextIndex() {
        return nextIndex;
    }

    @Override
    public synchronized long servingNode() {
        return currentLink == null ? 0 : currentLink.nodeId();
    }

    @Override
    public synchronized long resubscriptions() {
        return resubscriptions;
    }

    @Override
    public void close() {
        NodeLink link;
        long requestId;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            link = currentLink;
            requestId = currentRequest;
            currentRequest = 0;
        }
        if (requestId != 0) {
            link.unregister(requestId);
            link.sendOneWay(unsubscribe(requestId));
        }
        queue.clear();
    }
}
