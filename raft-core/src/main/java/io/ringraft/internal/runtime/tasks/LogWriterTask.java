package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.internal.runtime.ProgressPointer;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.StopState;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.ring.RingDiscardGuard;
import io.ringraft.internal.runtime.ring.RingEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.RaftMetrics;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;

/**
 * The log writer: makes the core's {@code accepted} state durable and reports it as {@code flushed}.
 *
 * <p>One duty cycle takes the newest accepted {@link IoId}, saves its vote if it changed, applies a
 * pending truncation, appends every entry from the last written one up to the accepted last index
 * (read from the ring in batches), calls {@link io.ringraft.spi.LogStorage#flush()} once, and
 * publishes {@code flushed = accepted.seq}. Everything accepted while the previous flush ran goes
 * into the next one: group commit without any queue.
 *
 * <p>Entries go to storage as a view straight over the ring's slots ({@link RingEntries}): storage's
 * own copy into its buffers is the only one. While it hands them over, the writer holds the ring's
 * {@link RingDiscardGuard}, so the core cannot truncate them and overwrite their bytes meanwhile; if
 * the core is about to discard entries the writer wants, the writer lets it go first and tries again
 * (without reporting anything for this cycle).
 *
 * <p>Why reporting {@code accepted.seq} is right even if the ring moved on meanwhile: the vote saved
 * is at least the accepted one; the entries written are the accepted ones, except where the core
 * truncated them after {@code accepted} (then the engine's own bookkeeping, see
 * docs/io-progress.md, does not count them durable for that seq). Entries of a term above the saved
 * vote are never written before that vote.
 *
 * <p>It also carries out the core's log resets (a follower installed a snapshot its log does not
 * hold) in their place in that order, and purges the prefix the core allows ({@code purgeTo}: entries
 * covered by a durable snapshot, less the configured tail).
 *
 * <p>On a host ({@code RaftHost}) an IO thread runs the two halves of the duty cycle separately,
 * {@link #write()} for every group it serves and then {@link #finishFlush()} for each: with one shared
 * log, the first flush makes every group's writes durable and the others return at once.
 *
 * <p>Blocks on storage IO, so it runs on a thread of its own (or a host's IO thread) in production. Any
 * {@link IOException} stops the node (fail-stop): the writer never retries a failed write or flush.
 *
 * <p>Built with what it touches: the ring and the storage; the core's {@code accepted},
 * {@code logCut} (which it takes) and {@code purgeLimit}, which it reads; and the pointers it
 * publishes as their only writer, {@code submitted}, {@code flushed} and {@code purged}.
 */
public final class LogWriterTask implements io.ringraft.internal.runtime.WriteFlushCycle {

    private final long groupId;
    private final long selfId;
    private final EntryRing ring;
    private final LogStorage storage;
    private final AtomicReference<IoId> accepted;
    private final AtomicReference<LogCut> logCut;
    private final ProgressView purgeLimit;
    private final ProgressPointer submitted;
    private final ProgressPointer flushed;
    private final ProgressPointer purged;
    private final StopState stop;
    private final java.util.function.LongSupplier nanoClock;
    private final RingEntries view;
    private final int maxBatchBytes;
    private Vote savedVote;
    private long writtenIndex;
    private long reportedSeq;
    private long purgedIndex;
    /** Whether {@link #write()} wrote and {@link #finishFlush()} is to flush and report {@link #flushSeq}. */
    private boolean flushDue;
    private long flushSeq;
    /** The last index written before the writes the next flush covers (for the flush metrics). */
    private long firstUnflushed;
    private final RaftMetrics metrics;
    /** Whether {@link #metrics} wants the flush time (the clock is read only then). */
    private final boolean timed;

    /**
     * @param recovered what storage held when the node was built; {@code submitted} and {@code purged}
     *                  start at its last and base index
     * @param metrics   where flush times go ({@link RaftMetrics#NONE}: the clock is not read)
     */
    public LogWriterTask(long groupId, long selfId, RaftConfig config, EntryRing ring, LogStorage storage, LogState recovered,
                  AtomicReference<IoId> accepted, AtomicReference<LogCut> logCut, ProgressView purgeLimit,
                  ProgressPointer submitted, ProgressPointer flushed, ProgressPointer purged, StopState stop,
                  java.util.function.LongSupplier nanoClock, RaftMetrics metrics) {
        this.groupId = groupId;
        this.selfId = selfId;
        this.ring = ring;
        this.storage = storage;
        this.accepted = accepted;
        this.logCut = logCut;
        this.purgeLimit = purgeLimit;
        this.submitted = submitted;
        this.flushed = flushed;
        this.purged = purged;
        this.stop = stop;
        this.nanoClock = nanoClock;
        this.view = new RingEntries(ring, config.batchEntries());
        this.maxBatchBytes = Math.max(config.maxBytesPerAppend(), config.maxEntryBytes());
        this.savedVote = recovered.vote();
        this.writtenIndex = recovered.last().index();
        this.purgedIndex = recovered.base().index();
        this.firstUnflushed = writtenIndex;
        this.metrics = metrics;
        this.timed = metrics != RaftMetrics.NONE;
    }

    @Override
    public String roleName() {
        return "ringraft-log-writer-" + groupId + "-" + selfId;
    }

    /** {@return whether the writer's view over the ring holds its tables} Any thread; a snapshot, for tests. */
    public boolean viewAllocated() {
        return view.isAllocated();
    }

    @Override
    public int doWork() {
        int work = write();
        finishFlush();
        return work;
    }

    /**
     * The first half of a duty cycle: everything but the flush (the vote, a cut, the appends, a purge).
     * A host's IO thread runs this for every group it serves, then {@link #finishFlush()} for each, so that
     * one flush of a shared log covers every group's writes. Returns 0 (writes nothing) while a flush of the
     * previous call is still due.
     *
     * @return the work done (0: nothing to write)
     */
    @Override
    public int write() {
        if (stop.stopped() || flushDue) {
            return 0;
        }
        IoId accepted = this.accepted.get();
        if (accepted == null || accepted.seq() == reportedSeq && Math.min(purgeLimit.get(), writtenIndex) <= purgedIndex) {
            view.releaseIfRingReleased(); // a quiet group: the core wakes us once it released the ring
            return 0;
        }
        RingDiscardGuard guard = ring.discardGuard();
        if (!guard.hold(accepted.lastLogId().index())) {
            return 0; // the core is truncating or resetting the entries wanted: after it (it wakes us)
        }
        try {
            persist(accepted);
        } catch (IOException | RuntimeException e) {
            stop.fail(new IOException("log storage failed: " + e.getMessage(), e));
            return 1;
        } finally {
            guard.release();
        }
        flushDue = true;
        flushSeq = accepted.seq();
        return 1;
    }

    /**
     * The second half of a duty cycle: if {@link #write()} wrote, flushes storage once and publishes
     * {@code flushed} (which wakes the core). Does nothing otherwise.
     */
    @Override
    public void finishFlush() {
        if (!flushDue) {
            return;
        }
        flushDue = false;
        if (stop.stopped()) {
            return;
        }
        try {
            if (timed) {
                long started = nanoClock.getAsLong();
                storage.flush();
                metrics.logFlushed(nanoClock.getAsLong() - started, (int) Math.max(0, writtenIndex - firstUnflushed));
            } else {
                storage.flush();
            }
        } catch (IOException | RuntimeException e) {
            stop.fail(new IOException("log storage failed: " + e.getMessage(), e));
            return;
        }
        firstUnflushed = writtenIndex;
        reportedSeq = flushSeq;
        flushed.publish(reportedSeq); // wakes the core
    }

    private void persist(IoId accepted) throws IOException {
        Vote vote = accepted.vote();
        if (!vote.equals(savedVote)) {
            storage.saveVote(vote);
            savedVote = vote;
        }
        LogCut cut = logCut.getAndSet(null);
        if (cut != null && cut.resetTo() != null) {
            // A snapshot from the leader replaced the log (any truncation before it is moot).
            storage.resetTo(cut.resetTo());
            writtenIndex = cut.resetTo().index();
            purgedIndex = writtenIndex;
            submitted.publish(writtenIndex);
            purged.publish(purgedIndex);
        }
        if (cut != null && cut.truncateFrom() <= writtenIndex) {
            storage.truncateSuffix(cut.truncateFrom());
            writtenIndex = cut.truncateFrom() - 1;
            submitted.publish(writtenIndex);
        }
        long target = accepted.lastLogId().index();
        while (writtenIndex < target) {
            LogEntries entries = fill(target, vote.term());
            if (entries.count() == 0) {
                break; // the ring changed under us (truncated): the next cycle sees the new state
            }
            storage.append(entries);
            writtenIndex += entries.count();
            submitted.publish(writtenIndex);
        }
        ring.discardGuard().release(); // the ring's entries are in storage now: not during the flush
        view.forgetPayload(); // an idle writer keeps no released arena reachable
        long purge = Math.min(purgeLimit.get(), writtenIndex);
        if (purge > purgedIndex) {
            // Covered by a durable snapshot; a crash before the flush just keeps the entries.
            storage.purgePrefix(purge);
            purgedIndex = purge;
            purged.publish(purgedIndex);
        }
    }

    /** The next entries to append, in place in the ring; none of a newer term than the saved vote. */
    private LogEntries fill(long target, long voteTerm) {
        view.capture(writtenIndex + 1, target, maxBatchBytes, voteTerm);
        return view;
    }
}
