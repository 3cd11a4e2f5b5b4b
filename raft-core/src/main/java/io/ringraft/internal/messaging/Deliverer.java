package io.ringraft.internal.messaging;

import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.OutboxSettings;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery loop of one replica of a messaging group. While the replica leads its group, each duty
 * cycle sends, per target group with undelivered messages and nothing in flight, the next batch (from one
 * past what the target is known to have applied) through the {@link MessageRoute}; the answer (the
 * target's last applied sequence from this group) becomes an ACK proposal that trims the outbox. One
 * delivery and one ACK in flight per pair, so messages reach a target in order and the in-flight data per
 * pair is one batch. A failed delivery waits {@link OutboxSettings#retryDelay()} before the next try. A new
 * leader starts from its outbox's first unacknowledged message; the target drops what it applied before.
 *
 * <p><b>Threads.</b> {@link #doWork} runs on one thread at a time (the {@code MessagingDriver}'s, or the
 * simulator's); the futures' callbacks may run on any thread and only set atomics and wake the driver.
 * Never blocks.
 */
public final class Deliverer implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

    /** One (this group, target) pair's delivery progress on this replica. */
    private static final class Pair {
        final long target;
        /** The highest sequence the target is known to have applied from this group. */
        final AtomicLong delivered = new AtomicLong();
        volatile boolean deliveryInFlight;
        volatile boolean ackInFlight;
        volatile long retryAtNanos;
        /** Deliveries that failed in a row (delivery thread and callbacks, one at a time). */
        volatile int failuresInARow;
        /** Whether the pair waits until {@code retryAtNanos} (set with it, after it). */
        volatile boolean backingOff;

        void backOff(long until) {
            retryAtNanos = until;
            backingOff = true;
        }

        Pair(long target) {
            this.target = target;
        }
    }

    private final MessagingMachine machine;
    private final SourceNode source;
    private final MessageRoute route;
    private final LongSupplier nanoClock;
    private final Runnable wake;
    /** One row per target this group ever sent to: bounded by the number of groups. Delivery thread only. */
    private final TreeMap<Long, Pair> pairs = new TreeMap<>();
    private final long retryNanos;
    /** Deliveries sent and failed so far (for tests and status). */
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * The delivery loop of {@code machine}'s replica {@code source}.
     *
     * @param wake called (any thread) when a future completes, so the driver runs {@link #doWork} soon
     */
    public Deliverer(MessagingMachine machine, SourceNode source, MessageRoute route, LongSupplier nanoClock,
                     Runnable wake) {
        this.machine = machine;
        this.source = source;
        this.route = route;
        this.nanoClock = nanoClock;
        this.wake = wake;
        this.retryNanos = machine.settings().retryDelay().toNanos();
        machine.onEmit(wake);
    }

    @Override
    public int doWork() {
        if (!source.isLeader()) {
            return 0;
        }
        OutboxState state = machine.state();
        OutboxSettings settings = machine.settings();
        long now = nanoClock.getAsLong();
        int work = 0;
        for (long target : state.targetsWithPending()) {
            Pair pair = pairs.computeIfAbsent(target, Pair::new);
            if (pair.deliveryInFlight || pair.backingOff && now - pair.retryAtNanos < 0) {
                continue;
            }
            pair.backingOff = false;
            long from = Math.max(state.acknowledgedUpTo(target), pair.delivered.get()) + 1;
            List<OutboxState.Pending> batch = state.batch(target, from, settings.maxBatchMessages(),
                    settings.maxBatchBytes());
            if (!batch.isEmpty()) {
                send(pair, batch);
                work++;
            }
        }
        for (Pair pair : pairs.values()) {
            long delivered = pair.delivered.get();
            if (!pair.ackInFlight && delivered > state.acknowledgedUpTo(pair.target)) {
                pair.ackInFlight = true;
                source.propose(Envelope.ack(pair.target, delivered)).whenComplete((r, e) -> {
                    pair.ackInFlight = false;
                    wake.run();
                });
                work++;
            }
        }
        return work;
    }

    private void send(Pair pair, List<OutboxState.Pending> batch) {
        pair.deliveryInFlight = true;
        sent.incrementAndGet();
        long first = batch.get(0).sequence();
        route.deliver(pair.target, Envelope.deliver(machine.groupId(), batch)).whenComplete((result, error) -> {
            if (error == null && result instanceof Long applied) {
                pair.failuresInARow = 0;
                pair.delivered.accumulateAndGet(applied, Math::max);
                if (applied < first) { // the target applied none (full, or a gap): do not hammer it
                    pair.backOff(nanoClock.getAsLong() + retryNanos);
                }
            } else {
                failed.incrementAndGet();
                pair.backOff(nanoClock.getAsLong() + retryNanos);
                int inARow = ++pair.failuresInARow;
                if (inARow == 20 || inARow % 1000 == 0) { // a leader change fails a few; this many is a problem
                    LOG.warn("group {}: {} deliveries in a row to group {} failed (messages {}.. wait in the outbox);"
                            + " the last: {}", machine.groupId(), inARow, pair.target, first,
                            error != null ? error.toString() : "the answer " + result);
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("group {}: delivery of messages {}.. to group {} failed, retrying: {}",
                            machine.groupId(), first, pair.target, error != null ? error.toString() : result);
                }
            }
            pair.deliveryInFlight = false;
            wake.run();
        });
    }

    /** Deliveries sent so far. */
    public long sent() {
        return sent.get();
    }

    /** Deliveries that failed so far (no answer, or not a messaging group's answer). */
    public long failed() {
        return failed.get();
    }

    @Override
    public String roleName() {
        return "deliverer-" + machine.groupId();
    }
}
