package io.ringraft.internal.runtime.requests;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The futures of proposals made with {@code RaftNode.propose(byte[])}, in a fixed table indexed by
 * correlation id. Bounded: when the slot a new id maps to is still taken, the proposal is refused
 * (back-pressure) rather than the table growing. Any thread registers; the core and the applier
 * complete. Lock-free.
 *
 * <p><b>Allocated on first use, handed back when empty.</b> The table ({@code capacity} references) is
 * allocated by the first registration, and the core of a quiet group hands it back with {@link #release()}
 * when no future is pending; the next registration allocates a new one. Each table counts the futures it
 * holds; {@link #release()} closes a table only by a CAS of that count from 0 to {@link #CLOSED}, and a
 * registration counts itself in (a CAS from a non-negative count) before it puts its future in, so a table
 * that holds a future, or is about to, is never closed, and every pending future is in the current table. A
 * registration that meets a closed table (or none) installs a fresh one and counts itself into that.
 */
public final class PendingFutures {

    /** The count of a closed table: nothing may be put in it any more. */
    private static final int CLOSED = -1;

    /** One waiting proposal. */
    record Pending(long correlationId, CompletableFuture<Object> future) {
    }

    /** One allocation of the table, with how many futures it holds (or is about to), or {@link #CLOSED}. */
    private static final class Table {
        final AtomicReferenceArray<Pending> slots;
        final AtomicInteger held = new AtomicInteger();

        Table(int capacity) {
            slots = new AtomicReferenceArray<>(capacity);
        }

        /** Counts one more future in, unless the table is closed. */
        boolean enter() {
            while (true) {
                int n = held.get();
                if (n == CLOSED) {
                    return false;
                }
                if (held.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }
    }

    private final int capacity;
    private final int mask;
    private final AtomicLong nextId = new AtomicLong(1);
    /** The current table, or null before the first registration and after a {@link #release()}. */
    private volatile Table table;
    /** How many tables were allocated (tests). */
    private final AtomicInteger allocations = new AtomicInteger();

    public PendingFutures(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("the pending futures' capacity must be a power of two, got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /** Registers a future; returns its correlation id, or 0 if the table has no room for it. Any thread. */
    public long register(CompletableFuture<Object> future) {
        Table t = entered();
        long id = nextId.getAndIncrement();
        if (t.slots.compareAndSet((int) (id & mask), null, new Pending(id, future))) {
            return id;
        }
        t.held.decrementAndGet(); // refused: counted out again
        return 0;
    }

    /** The current table, counted into (allocated if there is none or it was closed). */
    private Table entered() {
        while (true) {
            Table current = table;
            if (current != null && current.enter()) {
                return current;
            }
            Table fresh = new Table(capacity);
            fresh.held.set(1);
            if (TABLE.compareAndSet(this, current, fresh)) {
                allocations.incrementAndGet();
                return fresh;
            }
        }
    }

    /** Removes and returns the future of {@code correlationId}, or null if it is not pending. Any thread. */
    public CompletableFuture<Object> take(long correlationId) {
        Table t = table;
        if (t == null) {
            return null;
        }
        int slot = (int) (correlationId & mask);
        Pending pending = t.slots.get(slot);
        if (pending != null && pending.correlationId() == correlationId && t.slots.compareAndSet(slot, pending, null)) {
            t.held.decrementAndGet();
            return pending.future();
        }
        return null;
    }

    /** Removes every pending future and hands it to {@code action}. */
    void drain(java.util.function.Consumer<CompletableFuture<Object>> action) {
        Table t = table;
        if (t == null) {
            return;
        }
        for (int i = 0; i < t.slots.length(); i++) {
            Pending pending = t.slots.getAndSet(i, null);
            if (pending != null) {
                t.held.decrementAndGet();
                action.accept(pending.future());
            }
        }
    }

    /**
     * Hands the table back to the garbage collector if no future is pending (the core of a quiet group); the
     * next registration allocates a new one. Safe against registrations on any thread (see the class comment).
     *
     * @return true if the table was released now
     */
    public boolean release() {
        Table t = table;
        if (t == null || !t.held.compareAndSet(0, CLOSED)) {
            return false;
        }
        TABLE.compareAndSet(this, t, null); // a registration may have replaced it already: then it stays
        return true;
    }

    /** {@return whether a table is allocated now} Any thread; a snapshot. */
    public boolean isAllocated() {
        return table != null;
    }

    /** {@return how many tables were allocated so far} For tests. */
    int allocations() {
        return allocations.get();
    }

    private static final java.lang.invoke.VarHandle TABLE;

    static {
        try {
            TABLE = java.lang.invoke.MethodHandles.lookup().findVarHandle(PendingFutures.class, "table", Table.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
