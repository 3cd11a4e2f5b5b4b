package io.ringraft.internal.engine.progress;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;

/**
 * The identity of one state of the node's log and vote as handed to storage: the
 * {@code accepted} (and, once durable, {@code flushed}) progress pointer.
 *
 * <p>{@code seq} alone orders IoIds and is what storage reports back; {@code vote} and
 * {@code lastLogId} say what that state is. {@code (vote, lastLogId)} by itself is not monotonic: a
 * follower may replace a higher-term uncommitted entry with a lower-term one under the same leader
 * (docs/io-progress.md works through it), so the engine never compares those to decide freshness.
 *
 * @param seq       monotonic sequence of the storage change, unique per engine instance
 * @param vote      the vote in force after that change
 * @param lastLogId the last log entry after that change
 */
public record IoId(long seq, Vote vote, LogId lastLogId) {
}
