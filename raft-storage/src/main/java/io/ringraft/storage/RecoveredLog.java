package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.TermRuns;
import java.util.List;

/**
 * What {@link LogRecovery} found, ready for {@link SegmentedLogStorage} to take over.
 *
 * @param vote     the durable vote
 * @param base     the last purged entry
 * @param segments the segments in index order; the last is the newest file (it may hold no live
 *                 entry); segments whose entries are all dead are not included (and were deleted)
 * @param runs     term runs of the live entries {@code base.index + 1 .. lastIndex}
 * @param lastIndex the last entry, {@code base.index()} when the log holds none
 * @param nextSeq  the sequence number for the next segment created
 */
record RecoveredLog(Vote vote, LogId base, List<Segment> segments, TermRuns runs, long lastIndex, long nextSeq) {
}
