package io.ringraft.internal.runtime.requests;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The futures of proposals made with {@code RaftNode.propose(byte[])}, in a fixed table indexed by
 * correlation id. Bounded: when the slot a new id maps to is still taken, the proposal is refused
 * (back-pressure) rather than the table growing. Any thread registers; the core and the applier
 * complete. Lock-free.
 */
public final class PendingFutures {

    /** One waiting proposal. */
    record Pending(long correlationId, CompletableFuture<Object> future) {
    }

    private final AtomicReferenceArray<Pending> slots;
    private final int mask;
    private final AtomicLong nextId = new AtomicLong(1);

    public PendingFutures(int capacity) {
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
    }

    /** Registers a future; returns its correlation id, or 0 if the table has no room for it. */
    public long register(CompletableFuture<Object> future) {
        long id = nextId.getAndIncrement();
        Pending pending = new Pending(id, future);
        return slots.compareAndSet((int) (id & mask), null, pending) ? id : 0;
    }

    /** Removes and returns the future of {@code correlationId}, or null if it is not pending. */
    public CompletableFuture<Object> take(long correlationId) {
        int slot = (int) (correlationId & mask);
        Pending pending = slots.get(slot);
        if (pending != null && pending.correlationId() == correlationId && slots.compareAndSet(slot, pending, null)) {
            return pending.future();
        }
        return null;
    }

    /** Removes every pending future and hands it to {@code action}. */
    void drain(java.util.function.Consumer<CompletableFuture<Object>> action) {
        for (int i = 0; i < slots.length(); i++) {
            Pending pending = slots.getAndSet(i, null);
            if (pending != null) {
                action.accept(pending.future());
            }
        }
    }
}
