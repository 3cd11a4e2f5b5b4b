package io.ringraft.internal.host;

import io.ringraft.internal.runtime.Signal;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.Agent;
import org.jctools.queues.atomic.MpscChunkedAtomicArrayQueue;

/**
 * A host IO thread: runs the log writers and snapshot tasks of the groups placed on it, so that disk
 * waits never hold up a worker (another group's core).
 *
 * <p><b>Duty cycle.</b> Takes up to {@link #MAX_BATCH} ready groups, runs the write half of each one's
 * log writer (vote, cut, appends, purge) and snapshot task, then the flush half of each: with one
 * shared log for the host, the first flush makes every group's writes durable and the others return at
 * once (one {@code fsync} per cycle for all of them); with a log per group, each flushes its own file.
 * Groups that did work queue again behind the others.
 *
 * <p><b>Bounds.</b> The ready queue holds each group at most once (bounded by {@code maxGroups}); the
 * batch array is fixed.
 *
 * <p>Threads: {@link #doWork()} on the IO thread; {@link #enqueue} from any thread.
 */
final class IoWorker implements Agent {

    /** The most groups written before their flushes in one cycle. */
    static final int MAX_BATCH = 256;

    private final String name;
    private final MpscChunkedAtomicArrayQueue<GroupSlot> ready;
    private final Signal signal = new Signal();
    private final GroupSlot[] batch = new GroupSlot[MAX_BATCH];
    private final int[] batchWork = new int[MAX_BATCH];
    private final AtomicInteger groups = new AtomicInteger();
    /** Cycles that ran at least one group, and the group write halves they ran (IO thread writes). */
    private final java.util.concurrent.atomic.AtomicLong cycles = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong groupWrites = new java.util.concurrent.atomic.AtomicLong();

    IoWorker(String name, int maxGroups) {
        this.name = name;
        this.ready = HostWorker.readyQueue(maxGroups);
    }

    @Override
    public String roleName() {
        return name;
    }

    Signal signal() {
        return signal;
    }

    /** Counts a group placed here before it starts (so that placement spreads groups created together). */
    void reserve() {
        groups.incrementAndGet();
    }

    void remove(GroupSlot slot) {
        groups.decrementAndGet();
    }

    int groupCount() {
        return groups.get();
    }

    /** Any thread: puts a group on the ready queue (its slot checked it is not queued yet) and wakes the thread. */
    void enqueue(GroupSlot slot) {
        if (!ready.offer(slot)) {
            throw new IllegalStateException("ready queue of " + name + " full: more groups than maxGroups");
        }
        signal.wake();
    }

    /** {@return the cycles that ran at least one group} Any thread. */
    long cycles() {
        return cycles.get();
    }

    /** {@return the groups' write-and-flush halves run, over all cycles} Any thread. */
    long groupWrites() {
        return groupWrites.get();
    }

    @Override
    public int doWork() {
        int count = 0;
        int limit = Math.min(MAX_BATCH, ready.size());
        while (count < limit) {
            GroupSlot slot = ready.poll();
            if (slot == null) {
                break;
            }
            slot.ioQueued.set(false);
            int done = slot.writeIo();
            if (done < 0) {
                continue; // stopping: neither flushed nor queued again
            }
            batch[count] = slot;
            batchWork[count] = done;
            count++;
        }
        if (count > 0) {
            cycles.lazySet(cycles.get() + 1); // the IO thread is the only writer
            groupWrites.lazySet(groupWrites.get() + count);
        }
        int work = 0;
        for (int i = 0; i < count; i++) {
            GroupSlot slot = batch[i];
            batch[i] = null;
            slot.flushIo();
            if (batchWork[i] > 0) {
                work += batchWork[i];
                slot.wakeIo();
            }
        }
        return work;
    }
}
