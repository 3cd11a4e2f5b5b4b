package io.ringraft.message;

/**
 * Memory a transport lends to an inbound message (for example the entries of an AppendEntries read
 * straight from a pooled network buffer, without a copy) and wants back.
 *
 * <p><b>Ownership.</b> When a transport's inbound handler accepts a message (returns true), the node
 * owns it and calls {@link #release(RaftMessage)} exactly once when done with it: after its core handled
 * it, or when it drops it (stopped node, node closed with messages queued). While the handler refuses a
 * message (returns false), the transport still owns it, and releases it if it gives up. Nothing may read
 * a message's entries after it was released; implementations should fail loudly rather than read memory
 * that was handed back.
 */
public interface Releasable {

    /** Hands the memory back. Idempotent: later calls do nothing. */
    void release();

    /**
     * Releases whatever {@code message} holds that is {@link Releasable}; does nothing otherwise.
     *
     * @param message a message that may hold transport memory
     */
    static void release(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request && request.entries() instanceof Releasable held) {
            held.release();
        }
    }
}
