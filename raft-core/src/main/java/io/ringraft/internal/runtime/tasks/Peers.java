package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.runtime.requests.BoundedQueues;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.message.RaftMessage;
import java.util.concurrent.atomic.AtomicReference;
import org.jctools.queues.MessagePassingQueue;

/**
 * The other members of a node, each in a slot with what the core hands its {@link PeerSender}: the
 * bounded outbox of messages, the snapshot chunk to send next, and the signal that wakes the sender.
 * A slot is taken when a member first appears (the initial voters while the node is built, later
 * ones with the configuration that names them) and kept for the life of the node, up to
 * {@code maxMembers}.
 *
 * <p>Threads: {@link #slotFor} by the core task (and by the thread that builds the node, before any
 * task runs); a new slot's sender is created by {@link Joined} on that thread, before the slot is
 * visible. {@link #outbox}, {@link #chunkRequest} and {@link #signal} of a slot taken are final
 * reads, safe from any thread that saw the slot. Never blocks; allocates only when a slot is taken.
 */
public final class Peers {

    /** Told that a member took a slot: creates the member's sender (and runs it if the node started). */
    @FunctionalInterface
    public interface Joined {
        void joined(int slot, long peerId, MessagePassingQueue<RaftMessage> outbox,
                    AtomicReference<ChunkRequest> chunkRequest, Signal signal);
    }

    private final long selfId;
    private final int outboxCapacity;
    private final Joined joined;
    /** Member id by slot (0: free); written by the core before the slot's sender exists. */
    private final long[] peers;
    private final MessagePassingQueue<RaftMessage>[] outboxes;
    private final AtomicReference<ChunkRequest>[] chunkRequests;
    private final Signal[] signals;
    /** Builds the outboxes (padded or not). */
    private final BoundedQueues queues;
    /** Slots in use; written by the core only. */
    private volatile int count;

    /**
     * @param outboxCapacity how many messages each outbox holds
     * @param queues         builds each outbox (padded on a node with threads of its own)
     * @param signals        the signal of each slot's sender ({@code maxMembers} of them)
     * @param joined         creates the sender of a slot when a member takes it
     */
    @SuppressWarnings("unchecked")
    public Peers(long selfId, int outboxCapacity, BoundedQueues queues, Signal[] signals, Joined joined) {
        this.selfId = selfId;
        this.queues = queues;
        this.outboxCapacity = outboxCapacity;
        this.joined = joined;
        this.signals = signals.clone();
        this.peers = new long[signals.length];
        this.outboxes = new MessagePassingQueue[signals.length];
        this.chunkRequests = new AtomicReference[signals.length];
        for (int i = 0; i < chunkRequests.length; i++) {
            chunkRequests[i] = new AtomicReference<>();
        }
    }

    /** Slot of {@code peerId}, or -1. Core thread. */
    private int slotOf(long peerId) {
        int taken = count;
        for (int i = 0; i < taken; i++) {
            if (peers[i] == peerId) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The slot of {@code peerId}, taking a new one (with its outbox and sender) if this is a new
     * member. Core thread only (and the thread that builds the node, before start).
     *
     * @return the slot, or -1 if {@code peerId} is this node or all {@code maxMembers} slots are taken
     */
    public int slotFor(long peerId) {
        int slot = slotOf(peerId);
        if (slot >= 0 || peerId == selfId) {
            return slot;
        }
        int taken = count;
        if (taken == peers.length) {
            return -1;
        }
        peers[taken] = peerId;
        outboxes[taken] = queues.spsc(outboxCapacity);
        count = taken + 1;
        joined.joined(taken, peerId, outboxes[taken], chunkRequests[taken], signals[taken]);
        return taken;
    }

    /** How many slots are taken (slots {@code 0 .. count()-1}). Any thread. */
    public int count() {
        return count;
    }

    /** The member in a slot taken ({@code slot < count()}). Any thread (written before the count that covers it). */
    public long peerAt(int slot) {
        return peers[slot];
    }

    /** The outbox of a slot taken. */
    MessagePassingQueue<RaftMessage> outbox(int slot) {
        return outboxes[slot];
    }

    /** Where the core asks the slot's sender for a snapshot chunk (newest wins). */
    AtomicReference<ChunkRequest> chunkRequest(int slot) {
        return chunkRequests[slot];
    }

    /** Wakes every slot's sender (core thread: after the ring was released, so that they hand back their views). */
    void wakeSenders() {
        int taken = count;
        for (int i = 0; i < taken; i++) {
            signals[i].wake();
        }
    }

    /** The signal that wakes the slot's sender. */
    Signal signal(int slot) {
        return signals[slot];
    }
}
