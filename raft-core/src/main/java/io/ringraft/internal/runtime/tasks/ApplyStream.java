package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.internal.runtime.Signal;
import io.ringraft.internal.runtime.StateMachineCalls;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.internal.runtime.requests.Forwards;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.ring.EntryBatch;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.ring.OriginEntries;
import io.ringraft.internal.runtime.ring.RingEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.StreamingStateMachine;
import java.io.IOException;

/**
 * The applier's side of a {@link StreamingStateMachine}: hands committed commands to the state
 * machine as views over the ring, and moves the applier's {@code applied} as far as the state machine
 * reports ({@link ReportedProgress}), completing each local proposal with its reported result on the
 * way.
 *
 * <p><b>Batches in flight.</b> Each hand-over is one batch: the entries that are not commands (a
 * leader's no-op, configuration entries) in front of one run of commands, and that run, which the
 * state machine gets as one {@link LogEntries} view. The entries that are not commands are never handed
 * over; they count as applied once progress has passed the commands before them. A batch read in place
 * uses one {@link RingEntries} of a fixed pool ({@code maxApplyBatchesInFlight}); a view is captured
 * again only once its batch is passed, so the state machine's view never changes under it, and the ring
 * never reclaims its entries (the reclaim line stays at {@code applied}). With every view out, nothing
 * more is handed over. Entries the ring no longer holds (after a restart) are copied from storage into
 * the one cold batch, handed over only when no other batch is in flight, and nothing follows it until
 * it is passed.
 *
 * <p><b>Holding back.</b> The applier stops handing over (it does not call {@link #deliver}) while a
 * snapshot is to be captured or restored: those must see a state of exactly {@code applied}, so they
 * wait until the stream is {@linkplain #idle() idle}.
 *
 * <p>Owned by the applier thread: every method runs there. Allocates nothing after construction.
 */
final class ApplyStream {

    /** What the applier notes about entries it hands over (snapshot policy, membership). */
    interface Accounting {
        void handingOver(LogEntries entries);
    }

    private final EntryRing ring;
    private final long selfId;
    private final java.util.function.LongSupplier nanoClock;
    private final LogStorage storage;
    private final int maxBytesPerAppend;
    private final Forwards forwards;
    private final ProposalOutcomes outcomes;
    private final StreamingStateMachine machine;
    private final ReportedProgress progress;
    private final Accounting accounting;
    private final RingEntries[] views;
    private final EntryBatch cold;
    private final int maxBatchBytes;
    private final int batchEntries;
    /** Batches in flight, oldest at {@link #head}; slot {@code i} reads through {@code views[i]} or {@link #cold}. */
    private final OriginEntries[] batches;
    /** How many entries of each batch in flight count (the leading non-commands and one run of commands). */
    private final int[] kept;
    private int head;
    private int inFlight;
    /** Entries of the oldest batch already passed. */
    private int cursor;
    private boolean coldInFlight;
    /** The last entry handed over, or passed without being handed over. */
    private long handedOver;
    private long applied;
    private long appliedTerm;
    /** When each batch in flight was handed over (read only if {@link #timed}). */
    private final long[] handedAt;
    private final io.ringraft.spi.RaftMetrics metrics;
    private final boolean timed;

    /**
     * @param firstView     a ring view the applier owns, used as the pool's first one
     * @param cold          the applier's batch for entries read from storage
     * @param applied       where the state machine stands (its restored snapshot's last entry, or zero)
     * @param applierSignal woken when the state machine reports progress
     */
    ApplyStream(RaftConfig config, EntryRing ring, LogStorage storage, Forwards forwards, ProposalOutcomes outcomes,
                StreamingStateMachine machine, Accounting accounting, RingEntries firstView, EntryBatch cold,
                int maxBatchBytes, LogId applied, Signal applierSignal, long selfId, StopState stop,
                java.util.function.LongSupplier nanoClock, io.ringraft.spi.RaftMetrics metrics) {
        this.nanoClock = nanoClock;
        this.ring = ring;
        this.storage = storage;
        this.maxBytesPerAppend = config.maxBytesPerAppend();
        this.forwards = forwards;
        this.outcomes = outcomes;
        this.machine = machine;
        this.accounting = accounting;
        this.cold = cold;
        this.maxBatchBytes = maxBatchBytes;
        this.batchEntries = config.batchEntries();
        int pool = config.maxApplyBatchesInFlight();
        this.views = new RingEntries[pool];
        this.views[0] = firstView;
        for (int i = 1; i < pool; i++) {
            views[i] = new RingEntries(ring, batchEntries);
        }
        this.batches = new OriginEntries[pool];
        this.kept = new int[pool];
        this.handedAt = new long[pool];
        this.metrics = metrics;
        this.timed = metrics != io.ringraft.spi.RaftMetrics.NONE;
        this.handedOver = applied.index();
        this.applied = applied.index();
        this.appliedTerm = applied.term();
        this.selfId = selfId;
        this.progress = new ReportedProgress(applied.index(), config.ringCapacityEntries(), batchEntries,
                applierSignal, cause -> stop.fail(StateMachineCalls.failed(selfId,
                "on its own thread (ApplyProgress.fail)", cause)));
    }

    /** The last entry passed: every command up to it reported applied, and no later command handed over before it. */
    long applied() {
        return applied;
    }

    long appliedTerm() {
        return appliedTerm;
    }

    /** Nothing is handed over and not yet passed: the state machine's state is exactly {@link #applied()}. */
    boolean idle() {
        return inFlight == 0;
    }

    /**
     * Hands the state machine what is committed up to {@code limit}, as far as the pool of views allows.
     *
     * @return the entries handed over or passed
     */
    int deliver(long limit) throws IOException {
        int work = 0;
        while (handedOver < limit && inFlight < views.length && !coldInFlight) {
            int slot = (head + inFlight) % views.length;
            OriginEntries batch = next(slot, limit);
            if (batch == null) {
                break;
            }
            int count = 0;
            while (count < batch.count() && batch.kindAt(count) != EntryKind.COMMAND) {
                count++;
            }
            int run = count;
            while (count < batch.count() && batch.kindAt(count) == EntryKind.COMMAND) {
                count++;
            }
            batches[slot] = batch;
            kept[slot] = count;
            if (timed) {
                handedAt[slot] = nanoClock.getAsLong();
            }
            inFlight++;
            accounting.handingOver(batch.slice(0, count));
            handedOver = batch.firstIndex() + count - 1;
            if (run < count) {
                progress.handingOver(batch.firstIndex() + run, handedOver);
                try {
                    machine.accept(batch.slice(run, count - run), progress);
                } catch (RuntimeException | Error e) {
                    throw StateMachineCalls.failed(selfId, "accepting entries " + (batch.firstIndex() + run)
                            + ".." + handedOver, e);
                }
            }
            work += count;
        }
        return work;
    }

    /** The next batch from {@code handedOver + 1}: in place in the ring, or (alone) copied from storage. */
    private OriginEntries next(int slot, long limit) throws IOException {
        long next = handedOver + 1;
        long end = Math.min(limit, handedOver + batchEntries);
        if (views[slot].capture(next, end, maxBatchBytes, Long.MAX_VALUE) > 0) {
            return views[slot];
        }
        if (inFlight > 0) {
            return null; // a batch from storage goes alone
        }
        cold.clear(next);
        LogEntries read = storage.read(next, (int) (end - next + 1), maxBytesPerAppend);
        // Only entries the ring no longer holds: one it holds may be a local proposal (the ring knows whose).
        for (int i = 0; i < read.count() && !ring.holds(read.firstIndex() + i) && cold.add(read, i); i++) {
            // copied from storage
        }
        if (cold.count() == 0) {
            return null;
        }
        coldInFlight = true;
        return cold;
    }

    /**
     * Passes what the state machine reported: completes each local proposal (or forward) up to the
     * reported progress with its result, and passes entries that are not commands once the commands
     * before them are reported. Frees the views of batches passed entirely.
     *
     * @return the entries passed
     */
    int collect() {
        long reported = progress.reported();
        int work = 0;
        while (inFlight > 0) {
            OriginEntries batch = batches[head];
            int count = kept[head];
            while (cursor < count) {
                long index = batch.firstIndex() + cursor;
                if (batch.kindAt(cursor) == EntryKind.COMMAND) {
                    if (index > reported) {
                        break;
                    }
                    complete(batch, cursor, index);
                }
                appliedTerm = batch.termAt(cursor);
                applied = index;
                cursor++;
                work++;
            }
            if (cursor < count) {
                break;
            }
            if (!forwards.noneAppended()) {
                forwards.settle(batch.slice(0, count)); // the state machine reads this view no more
            }
            if (batch == cold) {
                coldInFlight = false;
            }
            if (timed) {
                metrics.entriesApplied(nanoClock.getAsLong() - handedAt[head], count);
            }
            if (batch instanceof RingEntries view) {
                view.forgetPayload(); // the state machine is done with it: keep no released arena reachable
            }
            batches[head] = null;
            head = (head + 1) % batches.length;
            inFlight--;
            cursor = 0;
        }
        return work;
    }

    private void complete(OriginEntries batch, int offset, long index) {
        Object result = progress.take(index);
        byte origin = batch.originAt(offset);
        if (origin != ProposalOutcomes.NONE) {
            outcomes.applied(origin, batch.correlationAt(offset), index, result);
        } else if (!forwards.noneAppended()) {
            forwards.applied(index, batch.termAt(offset), result);
        }
    }

    /** The state machine was restored from snapshot {@code last} while {@linkplain #idle() idle}: go on after it. */
    void restoredTo(LogId last) {
        if (inFlight != 0) {
            throw new IllegalStateException("restored a snapshot with " + inFlight + " batches in flight");
        }
        handedOver = last.index();
        applied = last.index();
        appliedTerm = last.term();
        progress.restoredTo(last.index());
    }
}
