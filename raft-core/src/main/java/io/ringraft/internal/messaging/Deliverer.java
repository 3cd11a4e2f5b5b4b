package io.ringraft.internal.messaging;

import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.OutboxSettings;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery loop of one replica of a messaging group. While the replica leads its group, each duty
 * cycle sends, per target group with undelivered messages, the next batches (after the last one sent, or
 * from one past what the target is known to have applied) through the {@link MessageRoute}, up to
 * {@link OutboxSettings#maxBatchesInFlight()} unanswered batches per pair; each answer (the target's last
 * applied sequence from this group) becomes an ACK proposal that trims the outbox, one ACK in flight per
 * pair.
 *
 * <p><b>Pipelining.</b> The target applies a message only if its sequence is the next one from this group
 * (it drops older ones, and stops at a gap), so exactly-once and per-pair order hold whatever order batches
 * arrive in and however often they are resent; the sender only has to make progress. Batches in flight
 * normally arrive in order (one route, one target leader). When one fails (no leader, a partition, a
 * refusal) or is answered with less than its last sequence applied (it arrived after a gap: an earlier
 * batch was lost or overtaken), the pair <i>rewinds</i>: it sends nothing more until its other batches are
 * answered, then resends from one past the target's last applied sequence it knows of. A failure also makes
 * the pair wait {@link OutboxSettings#retryDelay()} first. A new leader starts from its outbox's first
 * unacknowledged message; the target drops what it applied before.
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
        /** Batches sent and not answered yet. */
        final AtomicInteger inFlight = new AtomicInteger();
        /** The last sequence sent since the last rewind (0: none). Delivery thread only. */
        long sentUpTo;
        /** Set (before {@code inFlight} drops) when a batch failed or left a gap: resend from {@code delivered}. */
        volatile boolean rewind;
        volatile boolean ackInFlight;
        volatile long retryAtNanos;
        /** Deliveries that failed in a row (callbacks; a lost update only delays a warning). */
        volatile int failuresInARow;
        /** Whether {@code retryAtNanos} was ever set (set after it; never cleared). */
        volatile boolean backedOff;

        void backOff(long until) {
            retryAtNanos = until;
            backedOff = true;
        }

        boolean waiting(long now) {
            return backedOff && now - retryAtNanos < 0;
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
    private final AtomicLong gaps = new AtomicLong();

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
        int window = settings.maxBatchesInFlight();
        for (long target : state.targetsWithPending()) {
            Pair pair = pairs.computeIfAbsent(target, Pair::new);
            if (pair.waiting(now)) {
                continue;
            }
            if (pair.rewind) {
                if (pair.inFlight.get() > 0) {
                    continue; // let the rest answer first: each answer may move delivered on
                }
                pair.rewind = false;
                pair.sentUpTo = 0;
            }
            while (!pair.rewind && pair.inFlight.get() < window) { // an answer may come inline, from send
                long from = Math.max(Math.max(state.acknowledgedUpTo(target), pair.delivered.get()), pair.sentUpTo) + 1;
                List<OutboxState.Pending> batch = state.batch(target, from, settings.maxBatchMessages(),
                        settings.maxBatchBytes());
                if (batch.isEmpty()) {
                    break;
                }
                pair.sentUpTo = batch.get(batch.size() - 1).sequence();
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
        pair.inFlight.incrementAndGet();
        sent.incrementAndGet();
        long first = batch.get(0).sequence();
        long last = batch.get(batch.size() - 1).sequence();
        route.deliver(pair.target, Envelope.deliver(machine.groupId(), batch)).whenComplete((result, error) -> {
            if (error == null && result instanceof Long applied) {
                pair.failuresInARow = 0;
                pair.delivered.accumulateAndGet(applied, Math::max);
                if (applied < last) { // arrived after a gap: an earlier batch was lost or overtaken
                    gaps.incrementAndGet();
                    pair.rewind = true;
                }
            } else {
                failed.incrementAndGet();
                pair.backOff(nanoClock.getAsLong() + retryNanos);
                pair.rewind = true;
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
            pair.inFlight.decrementAndGet();
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

    /** Deliveries answered with less than their last message applied (they arrived after a gap) so far. */
    public long gaps() {
        return gaps.get();
    }

    @Override
    public String roleName() {
        return "deliverer-" + machine.groupId();
    }
}
