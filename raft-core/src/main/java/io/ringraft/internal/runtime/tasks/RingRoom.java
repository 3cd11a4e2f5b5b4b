package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.engine.LogRoom;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.spi.LogEntries;
import java.util.function.LongSupplier;

/**
 * The engine's {@link LogRoom}, answered from the entry ring: how many entries go into one
 * AppendEntries (byte budget) and how many of a leader's entries the ring can take. Also where the
 * ring's reclaim lines are: entries up to {@link #reclaimable()} may be overwritten at any time, and
 * a leader's entries may also overwrite those up to {@link #evictable()} (stored, not yet committed).
 *
 * <p>Built before the engine (which asks it) and the core task (which owns the engine), then given
 * the engine's durable index and the commit pointer ({@link #bind}); called on the core's thread only,
 * inside engine calls and by the core itself. Never blocks, allocates nothing.
 */
public final class RingRoom implements LogRoom {

    private final EntryRing ring;
    private final ProgressView applied;
    private final ProgressView submitted;
    /** The storage sequence the log writer last reported durable (it cut storage before it got there). */
    private final ProgressView flushed;
    private final int maxBytesPerAppend;
    /**
     * The lowest index a truncation or reset discarded since {@link #flushed} last reached
     * {@link #discardSeq}, or {@code Long.MAX_VALUE}: until the log writer got there, {@link #submitted}
     * may still count the discarded suffix, and the ring's entries from here on may not be in storage.
     */
    private long discardedFrom = Long.MAX_VALUE;
    /** The sequence of the newest truncation or reset ({@link #discarded}). */
    private long discardSeq;
    /** The commit index as the core published it; null until {@link #bind}. */
    private ProgressView committed;
    /** How far the core lets the applier go (it reads entries up to there in place); null until {@link #bind}. */
    private ProgressView applyLimit;
    /** The engine's durable index: flushed and still in the current log (a truncation lowers it at once). */
    private LongSupplier durableIndex;

    /**
     * @param ring              the node's entry ring
     * @param applied           the applier's pointer
     * @param submitted         the log writer's last index handed to storage
     * @param flushed           the log writer's last sequence reported durable
     * @param maxBytesPerAppend the byte budget of one AppendEntries
     */
    public RingRoom(EntryRing ring, ProgressView applied, ProgressView submitted, ProgressView flushed,
                    int maxBytesPerAppend) {
        this.ring = ring;
        this.applied = applied;
        this.submitted = submitted;
        this.flushed = flushed;
        this.maxBytesPerAppend = maxBytesPerAppend;
    }

    /**
     * Gives the room what {@link #evictable()} needs once the engine and the commit pointer exist (the
     * engine is built asking this room). Called once, by the node's builder, before any task runs;
     * until then nothing is evictable beyond {@link #reclaimable()}.
     *
     * @param committed    the commit pointer the core publishes
     * @param applyLimit   the apply limit the core publishes
     * @param durableIndex the engine's durable index ({@code RaftEngine::durableIndex}), read on the core's thread
     */
    public void bind(ProgressView committed, ProgressView applyLimit, LongSupplier durableIndex) {
        this.committed = committed;
        this.applyLimit = applyLimit;
        this.durableIndex = durableIndex;
    }

    /**
     * Ring entries up to here may be overwritten: applied, and handed to storage (a state machine
     * restored from a snapshot may be ahead of the log writer, which still needs the ring's entries).
     */
    long reclaimable() {
        return Math.min(applied.get(), submitted.get());
    }

    /**
     * Ring entries up to here may be overwritten to take a leader's entries: those up to
     * {@link #reclaimable()}, and, once the applier has applied everything committed, also the
     * uncommitted entries this node's storage holds durably in its current log. Those are read back
     * from storage by whoever needs them later (the applier once they commit, a replicator if this
     * node leads); without this, a follower whose ring is full of uncommitted entries could take no
     * entry of a new leader, and a leader that needs that follower (a joint configuration) could
     * never commit one: nothing would ever free a slot.
     *
     * <p>Why each bound: entries up to the published commit index may be in the applier's hands (it
     * reads them in place), so nothing past {@code applied} is evicted while {@code applied} is below
     * it; the durable index is the engine's, which a truncation lowers at once (the log writer's
     * {@code submitted} may still count a truncated suffix it has not cut yet); {@code submitted} keeps
     * out entries a snapshot covers that the log writer has still to copy out of the ring. A follower
     * holds no local proposal past the commit index (a leader that steps down forgets their origins),
     * so no proposal's outcome is lost with its slot. Core thread.
     *
     * @return the highest index that may be overwritten when a replicated entry needs room
     */
    long evictable() {
        long appliedIndex = applied.get();
        long stored = submitted.get();
        long reclaim = Math.min(appliedIndex, stored);
        if (committed == null || appliedIndex < committed.get()) {
            return reclaim;
        }
        return Math.max(reclaim, Math.min(stored, durableIndex.getAsLong()));
    }

    /**
     * The core truncated (or reset) the log from {@code fromIndex} with the storage change of sequence
     * {@code seq} ({@code Effect.Truncate}, {@code Effect.ResetLog}): until the log writer reported that
     * sequence durable, {@code submitted} may still count entries it has not cut, so the entries written
     * into the ring from {@code fromIndex} on count as not stored ({@link #storedInLog()}). Core thread.
     *
     * @param fromIndex the first index discarded
     * @param seq       the sequence of the storage change that discards it
     */
    public void discarded(long fromIndex, long seq) {
        discardedFrom = Math.min(discardedFrom, fromIndex);
        discardSeq = Math.max(discardSeq, seq);
    }

    /**
     * The last index the log writer has handed to storage in the current log: {@code submitted}, but
     * below a truncation or reset it has not carried out yet. It carried one out once it reports a
     * sequence at or past it durable: it reads the newest accepted state (published after the cut),
     * then the cut, cuts storage and lowers {@code submitted}, then flushes and publishes
     * {@code flushed}; {@code flushed} is read first here. Core thread.
     */
    long storedInLog() {
        if (discardedFrom != Long.MAX_VALUE && flushed.get() >= discardSeq) {
            discardedFrom = Long.MAX_VALUE;
        }
        long stored = submitted.get();
        return discardedFrom == Long.MAX_VALUE ? stored : Math.min(stored, discardedFrom - 1);
    }

    /**
     * How far a new leader's no-op or a configuration entry may reclaim ring entries to find room
     * ({@link #reclaimable()}, or further, any entry storage holds in the current log): those entries
     * are read back from storage by whoever needs them. Never an entry the log writer has still to copy
     * out of the ring, even just after a truncation (a stale {@code submitted} would name one, the
     * writer would never find it, and report it durable with the rest), and nothing past
     * {@code applied} while the applier may still be reading entries up to the apply limit in place
     * (their arena bytes could be reused under it): it applies one and frees its slot soon, the apply
     * limit waiting for nothing the core holds back. Core thread.
     *
     * @param lastIndex the log's last index
     * @return the highest index that may be overwritten for the entry
     */
    public long noopReclaimable(long lastIndex) {
        long reclaim = reclaimable();
        if (applyLimit != null && applied.get() < applyLimit.get()) {
            return reclaim;
        }
        return Math.max(reclaim, Math.min(storedInLog(), lastIndex));
    }

    /**
     * {@link LogRoom}: how many of a leader's entries the ring can take (the engine appends that many),
     * overwriting entries up to {@link #evictable()} if need be.
     */
    @Override
    public int acceptable(LogEntries entries, int fromOffset) {
        return ring.countFitting(entries, fromOffset, evictable());
    }

    /**
     * {@link LogRoom}: how many entries from {@code fromIndex} go into one AppendEntries, within
     * {@code maxBytesPerAppend}. Entries the ring no longer holds end the count (the replicator reads
     * them from storage within its own byte budget); entries appended in the current engine call are
     * not in the ring yet (their effects follow) and count as empty: only no-ops and configuration
     * entries are appended that way.
     */
    @Override
    public int sendable(long fromIndex, int count) {
        long bytes = 0;
        int n = 0;
        while (n < count) {
            long index = fromIndex + n;
            int length = ring.lengthAt(index);
            if (length == EntryRing.ABSENT) {
                if (index > ring.lastIndex()) {
                    // Appended in this very engine call (a no-op or a configuration entry, both small):
                    // its effect writes it into the ring before the replicator reads this message.
                    n++;
                    continue;
                }
                break; // not in the ring: the replicator reads storage, within its own byte budget
            }
            if (n > 0 && bytes + length > maxBytesPerAppend) {
                break;
            }
            bytes += length;
            n++;
        }
        return n == 0 ? count : n;
    }
}
