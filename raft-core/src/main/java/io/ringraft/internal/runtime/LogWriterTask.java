package io.ringraft.internal.runtime;

import io.ringraft.api.Vote;
import io.ringraft.internal.engine.progress.IoId;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftMetrics;
import java.io.IOException;
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
 * <p>Blocks on storage IO, so it runs on a thread of its own in production. Any
 * {@link IOException} stops the node (fail-stop): the writer never retries a failed write or flush.
 */
final class LogWriterTask implements Agent {

    private final NodeContext ctx;
    private final RingEntries view;
    private final int maxBatchBytes;
    private Vote savedVote;
    private long writtenIndex;
    private long reportedSeq;
    private long purgedIndex;
    private final RaftMetrics metrics;
    /** Whether {@link #metrics} wants the flush time (the clock is read only then). */
    private final boolean timed;

    LogWriterTask(NodeContext ctx, Vote recoveredVote, long recoveredBaseIndex, long recoveredLastIndex) {
        this.ctx = ctx;
        this.view = new RingEntries(ctx.ring, ctx.config.batchEntries());
        this.maxBatchBytes = Math.max(ctx.config.maxBytesPerAppend(), ctx.config.maxEntryBytes());
        this.savedVote = recoveredVote;
        this.writtenIndex = recoveredLastIndex;
        this.purgedIndex = recoveredBaseIndex;
        ctx.submitted.initialize(recoveredLastIndex);
        ctx.purged.initialize(recoveredBaseIndex);
        this.metrics = ctx.metrics;
        this.timed = metrics != RaftMetrics.NONE;
    }

    @Override
    public String roleName() {
        return "ringraft-log-writer-" + ctx.groupId + "-" + ctx.selfId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            return 0;
        }
        IoId accepted = ctx.accepted.get();
        if (accepted == null || accepted.seq() == reportedSeq && Math.min(ctx.purgeLimit.get(), writtenIndex) <= purgedIndex) {
            return 0;
        }
        RingDiscardGuard guard = ctx.ring.discardGuard();
        if (!guard.hold(accepted.lastLogId().index())) {
            return 0; // the core is truncating or resetting the entries wanted: after it (it wakes us)
        }
        try {
            persist(accepted);
        } catch (IOException | RuntimeException e) {
            ctx.fail(new IOException("log storage failed: " + e.getMessage(), e));
            return 1;
        } finally {
            guard.release();
        }
        reportedSeq = accepted.seq();
        ctx.flushed.publish(reportedSeq); // wakes the core
        return 1;
    }

    private void persist(IoId accepted) throws IOException {
        Vote vote = accepted.vote();
        if (!vote.equals(savedVote)) {
            ctx.storage.saveVote(vote);
            savedVote = vote;
        }
        NodeContext.LogCut cut = ctx.logCut.getAndSet(null);
        if (cut != null && cut.resetTo() != null) {
            // A snapshot from the leader replaced the log (any truncation before it is moot).
            ctx.storage.resetTo(cut.resetTo());
            writtenIndex = cut.resetTo().index();
            purgedIndex = writtenIndex;
            ctx.submitted.publish(writtenIndex);
            ctx.purged.publish(purgedIndex);
        }
        if (cut != null && cut.truncateFrom() <= writtenIndex) {
            ctx.storage.truncateSuffix(cut.truncateFrom());
            writtenIndex = cut.truncateFrom() - 1;
            ctx.submitted.publish(writtenIndex);
        }
        long target = accepted.lastLogId().index();
        long firstWritten = writtenIndex;
        while (writtenIndex < target) {
            LogEntries entries = fill(target, vote.term());
            if (entries.count() == 0) {
                break; // the ring changed under us (truncated): the next cycle sees the new state
            }
            ctx.storage.append(entries);
            writtenIndex += entries.count();
            ctx.submitted.publish(writtenIndex);
        }
        ctx.ring.discardGuard().release(); // the ring's entries are in storage now: not during the flush
        long purge = Math.min(ctx.purgeLimit.get(), writtenIndex);
        if (purge > purgedIndex) {
            // Covered by a durable snapshot; a crash before the flush just keeps the entries.
            ctx.storage.purgePrefix(purge);
            purgedIndex = purge;
            ctx.purged.publish(purgedIndex);
        }
        if (!timed) {
            ctx.storage.flush();
            return;
        }
        long started = ctx.nanoClock.getAsLong();
        ctx.storage.flush();
        metrics.logFlushed(ctx.nanoClock.getAsLong() - started, (int) Math.max(0, writtenIndex - firstWritten));
    }

    /** The next entries to append, in place in the ring; none of a newer term than the saved vote. */
    private LogEntries fill(long target, long voteTerm) {
        view.capture(writtenIndex + 1, target, maxBatchBytes, voteTerm);
        return view;
    }
}
