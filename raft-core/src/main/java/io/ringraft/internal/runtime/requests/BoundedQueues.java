package io.ringraft.internal.runtime.requests;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.MpscChunkedAtomicArrayQueue;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscAtomicUnpaddedArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscChunkedAtomicUnpaddedArrayQueue;
import org.jctools.queues.atomic.unpadded.SpscAtomicUnpaddedArrayQueue;

/**
 * Builds a node's bounded JCTools queues (inbound messages, outboxes, reads, forwards, snapshot chunks),
 * padded or not. A node with threads of its own ({@code RaftNode}) takes padded queues: each queue's producer
 * and consumer indexes sit on cache lines of their own, so that tasks on different cores do not slow each
 * other (false sharing). A group of a {@code RaftHost} takes the unpadded ones, with the same algorithms and
 * bounds: its tasks share a few host threads, most of its queues stay empty, and the padding (about 500
 * bytes a queue) was an eighth of an idle group's heap. Called by the thread that builds the node (and
 * by the core when a member joins); the queues' own thread rules are JCTools'.
 */
public final class BoundedQueues {

    private final boolean padded;

    /**
     * @param padded whether the queues keep their cache-line padding (a node with threads of its own)
     */
    public BoundedQueues(boolean padded) {
        this.padded = padded;
    }

    /** {@return whether these queues are padded} */
    public boolean padded() {
        return padded;
    }

    /**
     * @param capacity the bound (rounded up to a power of two by JCTools)
     * @param <E>      the element type
     * @return a bounded queue with many producers and one consumer
     */
    public <E> MessagePassingQueue<E> mpsc(int capacity) {
        return padded ? new MpscAtomicArrayQueue<>(capacity) : new MpscAtomicUnpaddedArrayQueue<>(capacity);
    }

    /**
     * @param capacity the bound (rounded up to a power of two by JCTools)
     * @param <E>      the element type
     * @return a bounded queue with one producer and one consumer
     */
    public <E> MessagePassingQueue<E> spsc(int capacity) {
        return padded ? new SpscAtomicArrayQueue<>(capacity) : new SpscAtomicUnpaddedArrayQueue<>(capacity);
    }

    /**
     * @param chunk    the size of each linked chunk (an idle queue holds one)
     * @param capacity the bound (rounded up to a power of two by JCTools)
     * @param <E>      the element type
     * @return a bounded queue with many producers and one consumer, allocated in chunks as it fills
     */
    public <E> MessagePassingQueue<E> mpscChunked(int chunk, int capacity) {
        return padded ? new MpscChunkedAtomicArrayQueue<>(chunk, capacity)
                : new MpscChunkedAtomicUnpaddedArrayQueue<>(chunk, capacity);
    }
}
