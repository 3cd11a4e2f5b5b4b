package io.ringraft.internal.runtime.requests;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.LogId;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import io.ringraft.message.ForwardProposalResult;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.collections.Long2ObjectHashMap;
import org.jctools.queues.MessagePassingQueue;

/**
 * Commands a follower proposes through its leader ({@code RaftNode.forward}): sent to the leader as a
 * {@code ForwardProposal}; the leader appends the command and answers where; this node's applier
 * completes the future with the state machine's result when it applies that entry (every node applies
 * every command, so the result is computed here too).
 *
 * <p>Who touches what: any thread {@link #submit}s; the core sends, takes the leader's answers and
 * expires the ones that wait too long; the applier completes the appended ones. Bounded: at most
 * {@code capacity} forwards are pending at once; more are refused at once (back-pressure).
 *
 * <p>Deadlines: each forward has one, set when it is submitted. One still queued here at its deadline
 * (the outbox to the leader had no room) was never sent: it fails with {@link RejectedException}. One
 * sent carries what is left of its wait, less a margin for the way back, as its budget; a leader that
 * takes it after that budget refuses it ({@code EXPIRED}), so an answer normally arrives before the
 * deadline and is definite.
 *
 * <p>Outcomes: the applied result; {@link NotLeaderException} or {@link RejectedException} when the
 * command certainly did not take effect (no leader known, never sent before its deadline, the leader
 * refused it: no room, too large, past its budget, not leading any more; or its entry was replaced by
 * another); {@link IndeterminateException} when it may have (sent but no answer by its deadline, or the
 * entry was applied here before the leader's answer arrived, or a snapshot replaced the state).
 */
public final class Forwards {

    /** One forwarded command. */
    public static final class Forward {
        /** Assigned by the core when it takes the forward. */
        public long requestId;
        public final byte[] command;
        public final CompletableFuture<Object> future;
        /**
         * When the caller stops waiting for the leader's answer (set on submit); once appended, the core
         * moves it to when it gives up waiting for the apply.
         */
        long deadlineNanos;
        /** Set by the core before the forward is visible to the applier. */
        long term;

        Forward(byte[] command, CompletableFuture<Object> future, long deadlineNanos) {
            this.command = command;
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }

        /** When the caller stops waiting for the leader's answer (the node's clock). */
        public long deadlineNanos() {
            return deadlineNanos;
        }
    }

    private final int capacity;
    private final AtomicInteger pending = new AtomicInteger();
    private long nextRequestId = 1;
    /** Any thread to the core. */
    private final MessagePassingQueue<Forward> submitted;
    /**
     * Peer senders to the core: request ids of forwards the transport refused to send (not connected to
     * the leader, its buffer full). Bounded by {@link #capacity}; when full a report is dropped and its
     * forward waits for its deadline instead.
     */
    private final MessagePassingQueue<Long> undelivered;
    /** Core only: sent, waiting for the leader's answer, by request id. */
    private final Long2ObjectHashMap<Forward> awaitingAnswer = new Long2ObjectHashMap<>();
    /** How often, at most, {@link #expire} scans the forwards sent (so deadlines hold to within this). */
    static final long EXPIRY_SCAN_NANOS = 1_000_000L;
    /** The earliest deadline of the forwards sent (core thread), valid while {@link #deadlineKnown}. */
    private long earliestDeadlineNanos;
    private boolean deadlineKnown;
    private long lastScanNanos;
    private boolean scanned;
    /** Core puts, applier and core remove: appended, waiting to be applied here, by log index. */
    private final ConcurrentSkipListMap<Long, Forward> appended = new ConcurrentSkipListMap<>();

    /**
     * @param firstRequestId where this incarnation's request ids start: distinct from earlier
     *                       incarnations' (the leader remembers ids per sender to drop duplicates)
     */
    /** References per chunk of the two queues: what an idle node keeps of each. */
    private static final int CHUNK = 16;

    public Forwards(int capacity, long firstRequestId) {
        this(capacity, firstRequestId, new BoundedQueues(true));
    }

    /**
     * @param capacity       the most forwards in flight
     * @param firstRequestId the first request id this node gives a forward
     * @param queues         builds the two queues (padded on a node with threads of its own)
     */
    public Forwards(int capacity, long firstRequestId, BoundedQueues queues) {
        this.capacity = capacity;
        this.nextRequestId = firstRequestId;
        // Chunked: an idle node holds one small chunk per queue, not a table of `capacity` references; the
        // queues still refuse beyond `capacity` (rounded up to a power of two, as a plain array queue's is).
        int max = Math.max(4, capacity);
        int chunk = Math.min(CHUNK, Integer.highestOneBit(max) / 2);
        this.submitted = queues.mpscChunked(chunk, max);
        this.undelivered = queues.mpscChunked(chunk, max);
    }

    /**
     * A peer sender's transport refused the forward with {@code requestId}: it never left this node.
     * Any thread; never blocks (a report that finds the queue full is dropped: the forward then fails at
     * its deadline).
     *
     * @param requestId the forward's request id
     */
    public void undelivered(long requestId) {
        undelivered.offer(requestId);
    }

    /**
     * Fails the forwards a transport refused ({@link #undelivered}) that still wait for an answer: they
     * certainly did not take effect, so their callers retry at once instead of at their deadline. Core
     * thread.
     *
     * @return how many were failed
     */
    public int failUndelivered() {
        int failed = 0;
        Long requestId;
        while ((requestId = undelivered.poll()) != null) {
            Forward forward = awaitingAnswer.remove(requestId.longValue());
            if (forward != null) {
                forward.future.completeExceptionally(new RejectedException("the transport could not send the "
                        + "forwarded command to the leader (no connection to it now): it did not take effect; retry"));
                failed++;
            }
        }
        return failed;
    }

    /**
     * How long a forward waits for the leader's answer unless its caller says: two election timeouts.
     *
     * @param config the node's configuration
     * @return the wait in nanoseconds
     */
    public static long defaultWaitNanos(io.ringraft.api.RaftConfig config) {
        return 2L * config.electionTimeoutMillis() * 1_000_000L;
    }

    // ------------------------------------------------------------------ any thread

    /**
     * Queues a command for the core to forward; false (nothing queued) if {@code capacity} are pending.
     *
     * @param deadlineNanos when (the node's clock) the caller stops waiting for the leader's answer
     */
    public boolean submit(byte[] command, CompletableFuture<Object> future, long deadlineNanos) {
        if (pending.incrementAndGet() > capacity) {
            pending.decrementAndGet();
            return false;
        }
        if (!submitted.offer(new Forward(command, future, deadlineNanos))) {
            pending.decrementAndGet();
            return false; // the future stays untouched: the caller completes it
        }
        future.whenComplete((result, error) -> pending.decrementAndGet());
        return true;
    }

    // ------------------------------------------------------------------ core

    /** Whether a submitted forward waits for the core. */
    public boolean hasSubmitted() {
        return !submitted.isEmpty();
    }

    /** The next submitted forward, with its request id assigned, or null. */
    public Forward pollSubmitted() {
        Forward forward = submitted.poll();
        if (forward != null) {
            forward.requestId = nextRequestId++;
        }
        return forward;
    }

    /**
     * Fails the queued forwards at the head whose deadline passed: they were never sent, so they
     * certainly did not take effect. Only the head is looked at (the queue is FIFO; a later deadline
     * ahead holds back an earlier one behind it until it goes).
     *
     * @return how many were failed
     */
    public int expireQueued(long nowNanos) {
        int expired = 0;
        Forward head;
        while ((head = submitted.peek()) != null && nowNanos - head.deadlineNanos >= 0) {
            Forward forward = submitted.poll();
            notSent(forward);
            expired++;
        }
        return expired;
    }

    /** Fails a forward taken from the queue that cannot be sent before its deadline. */
    public static void notSent(Forward forward) {
        forward.future.completeExceptionally(new RejectedException("the forwarded command waited in this node's "
                + "queue until its deadline and was never sent to the leader: it did not take effect; retry"));
    }

    /** The forward was sent: wait for the leader's answer until its deadline. */
    public void sent(Forward forward) {
        awaitingAnswer.put(forward.requestId, forward);
        keepEarliest(forward.deadlineNanos);
    }

    /**
     * The leader's answer. An appended command is handed to the applier, unless this node applied its
     * index already ({@code applied} read after publishing it): the result was not kept then.
     */
    public void onResult(ForwardProposalResult result, java.util.function.LongSupplier applied, long deadlineNanos) {
        Forward forward = awaitingAnswer.remove(result.requestId());
        if (forward == null) {
            return; // answered already, or given up on
        }
        switch (result.outcome()) {
            case APPENDED -> {
                LogId entry = result.entry();
                forward.term = entry.term();
                forward.deadlineNanos = deadlineNanos;
                Forward replaced = appended.put(entry.index(), forward);
                if (replaced != null) {
                    replaced.future.completeExceptionally(new RejectedException("the entry of the forwarded command "
                            + "was replaced by a newer leader's: it did not take effect"));
                }
                if (entry.index() <= applied.getAsLong() && appended.remove(entry.index(), forward)) {
                    forward.future.completeExceptionally(new IndeterminateException("entry " + entry
                            + " was applied here before the leader's answer arrived; its result was not kept"));
                }
            }
            case NOT_LEADER -> forward.future.completeExceptionally(new NotLeaderException(result.to(),
                    result.leaderHint()));
            case BUSY -> forward.future.completeExceptionally(new RejectedException("the leader (node "
                    + result.from() + ") has no room for the forwarded command now; retry"));
            case TOO_LARGE -> forward.future.completeExceptionally(new RejectedException("the forwarded command of "
                    + forward.command.length + " bytes exceeds the leader's maxEntryBytes"));
            case EXPIRED -> forward.future.completeExceptionally(new RejectedException("the leader (node "
                    + result.from() + ") took the forwarded command after its deadline and did not append it; retry"));
        }
    }

    /**
     * Fails what waited past its deadline: it may have been appended (and may commit). Scans the forwards
     * sent only once the earliest of their deadlines passed, and at most once per {@link #EXPIRY_SCAN_NANOS}
     * (a deadline is kept to within that), so thousands of forwards in flight do not cost a scan per duty
     * cycle of the core.
     */
    public void expire(long nowNanos) {
        if (!deadlineKnown || nowNanos - earliestDeadlineNanos < 0
                || (scanned && nowNanos - lastScanNanos < EXPIRY_SCAN_NANOS)) {
            return;
        }
        scanned = true;
        lastScanNanos = nowNanos;
        deadlineKnown = false;
        if (!awaitingAnswer.isEmpty()) {
            Iterator<Forward> it = awaitingAnswer.values().iterator();
            while (it.hasNext()) {
                Forward forward = it.next();
                if (nowNanos - forward.deadlineNanos >= 0) {
                    it.remove();
                    forward.future.completeExceptionally(new IndeterminateException("the leader did not answer the "
                            + "forwarded command in time; it may still take effect"));
                } else {
                    keepEarliest(forward.deadlineNanos);
                }
            }
        }
        for (Map.Entry<Long, Forward> entry : appended.entrySet()) {
            Forward forward = entry.getValue();
            if (nowNanos - forward.deadlineNanos < 0) {
                keepEarliest(forward.deadlineNanos);
            } else if (appended.remove(entry.getKey(), forward)) {
                forward.future.completeExceptionally(new IndeterminateException("the forwarded command was appended at "
                        + entry.getKey() + " but not applied here in time; it may still take effect"));
            }
        }
    }

    private void keepEarliest(long deadlineNanos) {
        if (!deadlineKnown || deadlineNanos - earliestDeadlineNanos < 0) {
            earliestDeadlineNanos = deadlineNanos;
            deadlineKnown = true;
        }
    }

    /** Whether anything waits for an answer or an apply (the core checks deadlines only then). */
    public boolean waiting() {
        return !awaitingAnswer.isEmpty() || !appended.isEmpty();
    }

    /**
     * Fails everything pending (the node stopped; called once no task touches the forwards any more):
     * forwards never sent with {@code notSent}, the others (the leader may have appended them) with
     * {@code sent}.
     */
    public void failAll(RaftException notSent, RaftException sent) {
        Forward forward;
        while ((forward = submitted.poll()) != null) {
            forward.future.completeExceptionally(notSent);
        }
        for (Forward f : awaitingAnswer.values()) {
            f.future.completeExceptionally(sent);
        }
        awaitingAnswer.clear();
        for (Forward f : appended.values()) {
            f.future.completeExceptionally(sent);
        }
        appended.clear();
    }

    // ------------------------------------------------------------------ applier

    /** True if nothing waits to be applied (the applier's fast path). */
    public boolean noneAppended() {
        return appended.isEmpty();
    }

    /** The command entry {@code index} of {@code term} was applied here with {@code result}. */
    public void applied(long index, long term, Object result) {
        Forward forward = appended.remove(index);
        if (forward == null) {
            return;
        }
        if (forward.term == term && result instanceof Rejection rejection) {
            forward.future.completeExceptionally(rejection.exception(index));
        } else if (forward.term == term) {
            forward.future.complete(result);
        } else {
            forward.future.completeExceptionally(new RejectedException("the entry of the forwarded command was "
                    + "replaced by a newer leader's: it did not take effect"));
        }
    }

    /**
     * The applier applied {@code batch}: forwards still waiting at its indexes (or before it) did not
     * get their result through {@link #applied}. If their entry holds something else than a command of
     * their term, it was replaced: they did not take effect. Otherwise the result was missed (the
     * leader's answer arrived while the entry was being applied): the outcome is unknown.
     */
    public void settle(io.ringraft.spi.LogEntries batch) {
        long first = batch.firstIndex();
        long last = first + batch.count() - 1;
        while (!appended.isEmpty()) {
            Map.Entry<Long, Forward> entry = appended.firstEntry();
            if (entry == null || entry.getKey() > last) {
                return;
            }
            long index = entry.getKey();
            Forward forward = entry.getValue();
            if (!appended.remove(index, forward)) {
                continue;
            }
            int offset = (int) (index - first);
            boolean replaced = index >= first && (batch.kindAt(offset) != io.ringraft.api.EntryKind.COMMAND
                    || batch.termAt(offset) != forward.term);
            forward.future.completeExceptionally(replaced
                    ? new RejectedException("the entry of the forwarded command was replaced by a newer leader's: "
                    + "it did not take effect")
                    : new IndeterminateException("entry " + index + " was applied while the leader's answer arrived; "
                    + "its result was not kept"));
        }
    }

    /** This node's state was replaced by a snapshot up to {@code index}: what waits there may be in it. */
    public void replacedBySnapshot(long index) {
        while (!appended.isEmpty()) {
            Map.Entry<Long, Forward> entry = appended.firstEntry();
            if (entry == null || entry.getKey() > index) {
                return;
            }
            if (appended.remove(entry.getKey(), entry.getValue())) {
                entry.getValue().future.completeExceptionally(new IndeterminateException("this node's state was "
                        + "replaced by a snapshot up to " + index + "; the forwarded command may be in it"));
            }
        }
    }
}
