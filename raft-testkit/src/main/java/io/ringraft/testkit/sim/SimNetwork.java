package io.ringraft.testkit.sim;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The simulator's network: every message gets a random delay in virtual time and may be dropped or
 * duplicated; a connectivity matrix cuts links, symmetrically or in one direction only. Deliveries
 * happen in time order (ties by send order), so a seed replays exactly.
 *
 * <p>Groups share the network (as groups of a host share its connections): a message is routed to the
 * receiver's node of the sender's group; cuts are between node ids, which are the hosts' ids when a
 * simulation runs several groups per host ({@link HostSimulation}).
 *
 * <p>Messages are copied at send time (the sender's entry views are only valid during the call).
 * A message whose receiver is down, or whose link is cut at delivery time, is lost. The in-flight
 * queue is bounded: beyond {@link #MAX_IN_FLIGHT} messages new ones are dropped, like a full socket.
 * Single-threaded (the simulation's thread).
 */
public final class SimNetwork implements RaftTransportFactory {

    static final int MAX_IN_FLIGHT = 20_000;

    private record Delivery(long at, long seq, long groupId, RaftMessage message) {
    }

    /** Sees every message sent, with its group. */
    interface SendObserver {
        void onSend(long groupId, RaftMessage message);
    }

    /** The only group of a single-group simulation: its traces leave the group out. */
    static final long SINGLE_GROUP = 1;

    private final SplittableRandom random;
    /** Receivers by {@link #key(long, long)}. */
    private final Map<Long, InboundHandler> receivers = new HashMap<>();
    private final PriorityQueue<Delivery> inFlight = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final boolean[][] cut;
    /** Links whose messages are held back (scripted): kept until {@link #release}, then delivered. */
    private final boolean[][] holding;
    private final java.util.List<Delivery> held = new java.util.ArrayList<>();
    private final SendObserver onSend;
    private long seq;
    private long now;

    double dropProbability;
    double duplicateProbability;
    long minDelayNanos = 200_000;
    long meanExtraDelayNanos = 1_000_000;

    long sent;
    long delivered;
    long dropped;

    SimNetwork(SplittableRandom random, int maxNodeId, Consumer<RaftMessage> onSend) {
        this(random, maxNodeId, (groupId, message) -> onSend.accept(message));
    }

    SimNetwork(SplittableRandom random, int maxNodeId, SendObserver onSend) {
        this.random = random;
        this.cut = new boolean[maxNodeId + 1][maxNodeId + 1];
        this.holding = new boolean[maxNodeId + 1][maxNodeId + 1];
        this.onSend = onSend;
    }

    private static long key(long groupId, long nodeId) {
        return groupId << 24 | nodeId;
    }

    @Override
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        receivers.put(key(groupId, selfId), inbound);
        return new RaftTransport() {
            @Override
            public boolean send(RaftMessage message) {
                return SimNetwork.this.send(groupId, message);
            }

            @Override
            public void close() {
                receivers.remove(key(groupId, selfId), inbound);
            }
        };
    }

    /** Node {@code nodeId} of group {@code groupId} is down: nothing reaches it until it connects again. */
    void disconnect(long groupId, long nodeId) {
        receivers.remove(key(groupId, nodeId));
    }

    /** False only if the message's entries changed while copied (a real transport refuses it too). */
    private boolean send(long groupId, RaftMessage message) {
        sent++;
        onSend.onSend(groupId, message);
        if (inFlight.size() >= MAX_IN_FLIGHT || isCut(message.from(), message.to())
                || random.nextDouble() < dropProbability) {
            dropped++;
            return true;
        }
        RaftMessage copy = copy(message);
        if (copy == null) {
            dropped++;
            return false;
        }
        schedule(groupId, copy);
        if (random.nextDouble() < duplicateProbability) {
            schedule(groupId, copy);
        }
        return true;
    }

    private void schedule(long groupId, RaftMessage message) {
        long extra = (long) (-Math.log(1 - random.nextDouble()) * meanExtraDelayNanos);
        inFlight.add(new Delivery(now + minDelayNanos + extra, seq++, groupId, message));
    }

    /** Delivers every message due at or before {@code time}; returns how many were offered. */
    int deliverDue(long time, TraceHash trace) {
        now = time;
        int count = 0;
        while (!inFlight.isEmpty() && inFlight.peek().at <= time) {
            Delivery delivery = inFlight.poll();
            RaftMessage message = delivery.message;
            InboundHandler receiver = receivers.get(key(delivery.groupId, message.to()));
            if (holding[(int) message.from()][(int) message.to()]) {
                held.add(delivery); // a slow link: it arrives when released
                continue;
            }
            if (receiver == null || isCut(message.from(), message.to()) || !receiver.offer(message)) {
                dropped++;
                continue;
            }
            delivered++;
            if (delivery.groupId != SINGLE_GROUP) {
                trace.add(delivery.groupId);
            }
            trace.add(message.toString());
            count++;
        }
        return count;
    }

    boolean isCut(long from, long to) {
        return cut[(int) from][(int) to];
    }

    void setCut(long from, long to, boolean isCut) {
        cut[(int) from][(int) to] = isCut;
    }

    /**
     * Scripted: holds back what travels from {@code from} to {@code to} (a link that delays without
     * losing); {@link #release} lets it arrive, in send order.
     */
    void hold(long from, long to) {
        holding[(int) from][(int) to] = true;
    }

    /** Ends {@link #hold} of the link: what it held is delivered from now on, in send order. */
    void release(long from, long to) {
        holding[(int) from][(int) to] = false;
        java.util.Iterator<Delivery> it = held.iterator();
        while (it.hasNext()) {
            Delivery delivery = it.next();
            if (delivery.message.from() == from && delivery.message.to() == to) {
                it.remove();
                inFlight.add(new Delivery(now, delivery.seq, delivery.groupId, delivery.message));
            }
        }
    }

    /** Restores every link. */
    void healAll() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
    }

    int inFlight() {
        return inFlight.size();
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
