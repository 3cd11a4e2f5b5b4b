package io.ringraft.internal.runtime.requests;

import io.ringraft.api.RaftException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jctools.queues.MessagePassingQueue;

/**
 * Linearizable reads in flight on one node, bounded by {@code maxPendingReads}: a table of reads by
 * id, a queue of new reads for the core, and a queue of reads whose read index is known, for the
 * applier. A read moves: caller thread ({@link #submit}) → core (asks the engine) → applier (serves
 * it once {@code applied >= readIndex}). Any thread submits; the core and the applier complete.
 * Lock-free; never blocks.
 */
public final class PendingReads {

    /** One read. {@code readIndex} is set by the core before it hands the read to the applier. */
    public static final class Read {
        public final long id;
        public final byte[] query;
        public final CompletableFuture<Object> future;
        public long readIndex;
        /** Set by the core with {@link #readIndex}: when the applier gives up waiting to reach it. */
        public long applyDeadlineNanos;

        Read(long id, byte[] query, CompletableFuture<Object> future) {
            this.id = id;
            this.query = query;
            this.future = future;
        }
    }

    private final AtomicReferenceArray<Read> byId;
    private final int mask;
    private final AtomicLong nextId = new AtomicLong(1);
    public final MessagePassingQueue<Read> submitted;
    public final MessagePassingQueue<Read> ready;

    public PendingReads(int capacity) {
        this(capacity, new BoundedQueues(true));
    }

    /**
     * @param capacity the most reads in flight
     * @param queues   builds the two queues (padded on a node with threads of its own)
     */
    public PendingReads(int capacity, BoundedQueues queues) {
        this.byId = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.submitted = queues.mpsc(capacity);
        this.ready = queues.spsc(capacity);
    }

    /** Registers and queues a read; false if the node has too many reads in flight. */
    public boolean submit(byte[] query, CompletableFuture<Object> future) {
        long id = nextId.getAndIncrement();
        Read read = new Read(id, query, future);
        int slot = (int) (id & mask);
        if (!byId.compareAndSet(slot, null, read)) {
            return false;
        }
        if (!submitted.offer(read)) {
            byId.compareAndSet(slot, read, null);
            return false;
        }
        return true;
    }

    /** Removes and returns read {@code id}, or null if it is no longer pending. */
    public Read take(long id) {
        int slot = (int) (id & mask);
        Read read = byId.get(slot);
        if (read != null && read.id == id && byId.compareAndSet(slot, read, null)) {
            return read;
        }
        return null;
    }

    /** The read {@code id} without removing it, or null. */
    public Read peek(long id) {
        Read read = byId.get((int) (id & mask));
        return read != null && read.id == id ? read : null;
    }

    /** Fails every pending read (the node stopped). */
    public void failAll(RaftException reason) {
        for (int i = 0; i < byId.length(); i++) {
            Read read = byId.getAndSet(i, null);
            if (read != null) {
                read.future.completeExceptionally(reason);
            }
        }
        // Reads still queued are skipped when dequeued: take() no longer finds them. The queues are
        // not cleared here because their consumers may still be running.
    }
}
