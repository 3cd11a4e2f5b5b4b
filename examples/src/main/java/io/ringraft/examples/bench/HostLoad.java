package io.ringraft.examples.bench;

import io.ringraft.api.Admission;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.api.StorageFailedException;
import io.ringraft.examples.bench.ClusterBenchmark.Failure;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The closed-loop load of {@link HostBenchmark}: {@code drivers} threads (default one) keep at most
 * {@code window} proposals outstanding in total, spread over the groups round-robin with at most
 * {@code ceil(window / groups)} outstanding per group, each proposed at the group's leader through the
 * allocation-free {@code tryPropose}. Group {@code g} belongs to driver {@code g % drivers}; each driver
 * has an equal share of the window. Everything is preallocated: per-group counters and leaders are
 * arrays, submit times sit in a ring per driver indexed by sequence number, latencies go into one
 * {@link ConcurrentHistogram} (recorded by the groups' worker threads). The correlation id carries the
 * group index in its low {@value #GROUP_BITS} bits and the driver's sequence number above them.
 */
final class HostLoad {

    static final int GROUP_BITS = 24;
    static final long GROUP_MASK = (1L << GROUP_BITS) - 1;
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** The listener every group of a host is built with; it reports to the load running now, if any. */
    static final class Listener implements ProposalListener {
        volatile HostLoad load;

        @Override
        public void onApplied(long correlationId, long index, Object result) {
            HostLoad l = load;
            if (l != null) {
                l.completed(correlationId, null);
            }
        }

        @Override
        public void onFailed(long correlationId, RaftException reason) {
            HostLoad l = load;
            if (l != null) {
                l.completed(correlationId, reason);
            }
        }
    }

    /** One driver's window, sequence numbers and submit times. */
    private static final class Driver {
        final int[] groups;
        final long window;
        final int perGroup;
        final long[] submitNanos;
        final int mask;
        final AtomicLong done = new AtomicLong();
        final AtomicBoolean parked = new AtomicBoolean();
        volatile Thread thread;
        long submitted;

        Driver(int[] groups, long window, int perGroup) {
            this.groups = groups;
            this.window = window;
            this.perGroup = perGroup;
            int size = Integer.highestOneBit((int) Math.max(1 << 16, Math.min(1 << 24, window * 16)) - 1) << 1;
            this.submitNanos = new long[size];
            this.mask = size - 1;
        }
    }

    /** Members of each group on this JVM's hosts: {@code members[h][g]}, null where a host is gone. */
    private final RaftNode[][] members;
    private final RaftNode[] leaders;
    private final AtomicIntegerArray inflight;
    private final Driver[] drivers;
    /** The driver of each group (its index into {@link #drivers}). */
    private final short[] owner;
    private final int payload;
    final ConcurrentHistogram histogram = new ConcurrentHistogram(HIGHEST_TRACKABLE_NANOS, 3);
    final LongAdder applied = new LongAdder();
    final AtomicLongArray failures = new AtomicLongArray(Failure.values().length);
    private volatile boolean measuring;
    private volatile boolean stopping;
    private Thread[] threads;

    /**
     * @param members   each local host's members by group index
     * @param groups    the group indexes to load (all of them, or those led here)
     * @param window    total proposals outstanding at most
     * @param drivers   driver threads
     * @param payload   bytes per proposal
     */
    HostLoad(RaftNode[][] members, int[] groups, long window, int drivers, int payload) {
        this.members = members;
        int groupCount = members[0].length;
        this.leaders = new RaftNode[groupCount];
        this.inflight = new AtomicIntegerArray(groupCount);
        this.payload = payload;
        int d = (int) Math.max(1, Math.min(Math.min(drivers, Short.MAX_VALUE), Math.min(window, groups.length)));
        this.drivers = new Driver[d];
        for (int i = 0; i < d; i++) {
            int count = 0;
            for (int j = i; j < groups.length; j += d) {
                count++;
            }
            int[] mine = new int[count];
            for (int j = i, k = 0; j < groups.length; j += d) {
                mine[k++] = groups[j];
            }
            long share = window / d + (i < window % d ? 1 : 0);
            int perGroup = (int) Math.max(1, (share + count - 1) / Math.max(1, count));
            this.drivers[i] = new Driver(mine, share, perGroup);
        }
        this.owner = new short[groupCount];
        for (int i = 0; i < d; i++) {
            for (int g : this.drivers[i].groups) {
                owner[g] = (short) i;
            }
        }
    }

    /** Starts the driver threads. */
    void start() {
        threads = new Thread[drivers.length];
        for (int i = 0; i < drivers.length; i++) {
            Driver d = drivers[i];
            threads[i] = new Thread(() -> drive(d), "hostbench-driver-" + i);
            threads[i].setDaemon(true);
            d.thread = threads[i];
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    void measuring(boolean on) {
        measuring = on;
    }

    /** Stops the drivers, then waits up to {@code drainNanos} for outstanding proposals; returns those left. */
    long stop(long drainNanos) throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
            t.join();
        }
        long deadline = System.nanoTime() + drainNanos;
        while (outstanding() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return outstanding();
    }

    long outstanding() {
        long sum = 0;
        for (Driver d : drivers) {
            sum += d.submitted - d.done.get();
        }
        return sum;
    }

    long totalFailures() {
        long sum = 0;
        for (int i = 0; i < failures.length(); i++) {
            sum += failures.get(i);
        }
        return sum;
    }

    /** The histogram's copy, for merging and encoding. */
    Histogram histogramCopy() {
        return histogram.copy();
    }

    private void completed(long correlationId, RaftException reason) {
        int g = (int) (correlationId & GROUP_MASK);
        Driver d = drivers[driverOf(g)];
        if (reason == null) {
            if (measuring) {
                long latency = System.nanoTime() - d.submitNanos[(int) ((correlationId >>> GROUP_BITS) & d.mask)];
                histogram.recordValue(Math.min(Math.max(latency, 0), HIGHEST_TRACKABLE_NANOS));
            }
            applied.increment();
        } else {
            failures.incrementAndGet(kind(reason).ordinal());
        }
        inflight.decrementAndGet(g);
        d.done.incrementAndGet();
        if (d.parked.get() && d.parked.compareAndSet(true, false)) {
            LockSupport.unpark(d.thread);
        }
    }

    private int driverOf(int group) {
        return owner[group];
    }

    private static Failure kind(RaftException reason) {
        if (reason instanceof NotLeaderException) {
            return Failure.NOT_LEADER;
        } else if (reason instanceof RejectedException) {
            return Failure.REJECTED;
        } else if (reason instanceof IndeterminateException) {
            return Failure.INDETERMINATE;
        } else if (reason instanceof NodeStoppedException) {
            return Failure.NODE_STOPPED;
        } else if (reason instanceof StorageFailedException) {
            return Failure.STORAGE_FAILED;
        }
        return Failure.OTHER;
    }

    /** The leader of group {@code g} among this JVM's members, or null (no allocation). */
    private RaftNode findLeader(int g) {
        for (RaftNode[] host : members) {
            RaftNode member = host[g];
            if (member != null && member.isLeader()) {
                return member;
            }
        }
        return null;
    }

    private void drive(Driver d) {
        byte[] bytes = new byte[payload];
        for (int i = 0; i < payload; i++) {
            bytes[i] = (byte) i;
        }
        ByteBuffer view = ByteBuffer.wrap(bytes);
        int[] groups = d.groups;
        int n = groups.length;
        int cursor = 0;
        while (!stopping) {
            if (d.submitted - d.done.get() >= d.window) {
                d.parked.set(true);
                if (d.submitted - d.done.get() >= d.window && !stopping) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                d.parked.set(false);
                continue;
            }
            // The next group, round-robin, with room in its share of the window and a leader here.
            RaftNode leader = null;
            int g = -1;
            for (int tries = 0; tries < n; tries++) {
                int candidate = groups[cursor];
                cursor = cursor + 1 == n ? 0 : cursor + 1;
                if (inflight.get(candidate) >= d.perGroup) {
                    continue;
                }
                RaftNode known = leaders[candidate];
                if (known == null || !known.isLeader()) {
                    known = findLeader(candidate);
                    leaders[candidate] = known;
                }
                if (known != null) {
                    leader = known;
                    g = candidate;
                    break;
                }
            }
            if (leader == null) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100)); // every group full or leaderless
                continue;
            }
            long seq = d.submitted + 1;
            if (payload >= Long.BYTES) {
                view.putLong(0, seq);
            } else {
                bytes[0] = (byte) seq;
            }
            d.submitNanos[(int) (seq & d.mask)] = System.nanoTime();
            inflight.incrementAndGet(g); // before: the listener may run before tryPropose returns
            Admission admission = leader.tryPropose(bytes, 0, payload, seq << GROUP_BITS | g);
            if (admission == Admission.ACCEPTED) {
                d.submitted = seq;
            } else {
                inflight.decrementAndGet(g);
                failures.incrementAndGet(Failure.REFUSED.ordinal());
                leaders[g] = null;
                if (admission == Admission.QUEUE_FULL) {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }
        }
    }
}
