package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * A follower's answer to {@link AppendEntriesRequest}.
 *
 * <p>On success, {@code matchIndex} is the highest index the follower has made durable <em>and</em>
 * knows to match the leader's log; it is cumulative, so duplicated or reordered successes do no harm.
 * A follower may send it more than once per request: again when a flush makes more entries durable.
 *
 * <p>On rejection, {@code rejectedPrevIndex} names the request's {@code prevLogId.index()}, and
 * {@code hint} is the follower's last entry at or before that index whose term is at most the
 * request's {@code prevLogId.term()}: the leader skips every index after the hint in one round trip,
 * so a diverged follower is repaired in O(terms) round trips rather than O(entries).
 *
 * @param from              the follower
 * @param to                the leader
 * @param term              the follower's current term
 * @param success           whether the consistency check passed
 * @param matchIndex        on success, the durable matching index; on rejection 0
 * @param rejectedPrevIndex on rejection, the rejected request's previous index; on success 0
 * @param hint              on rejection, the backtracking hint; on success {@link LogId#ZERO}
 */
public record AppendEntriesResponse(long from, long to, long term, boolean success, long matchIndex,
                                    long rejectedPrevIndex, LogId hint) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from              the follower
     * @param to                the leader
     * @param term              the follower's current term
     * @param success           whether the consistency check passed
     * @param matchIndex        on success, the durable matching index; on rejection 0
     * @param rejectedPrevIndex on rejection, the rejected request's previous index; on success 0
     * @param hint              on rejection, the backtracking hint; on success {@link LogId#ZERO}
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public AppendEntriesResponse {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(hint, "hint");
        if (matchIndex < 0 || rejectedPrevIndex < 0) {
            throw new IllegalArgumentException("indexes must not be negative: matchIndex=" + matchIndex
                    + " rejectedPrevIndex=" + rejectedPrevIndex);
        }
    }

    /**
     * {@return a successful response reporting {@code matchIndex}}
     *
     * @param from the follower
     * @param to the leader
     * @param term the follower's current term
     * @param matchIndex the highest index the follower holds durably and matching
     */
    public static AppendEntriesResponse success(long from, long to, long term, long matchIndex) {
        return new AppendEntriesResponse(from, to, term, true, matchIndex, 0, LogId.ZERO);
    }

    /**
     * {@return a rejection of the request whose previous entry was at {@code rejectedPrevIndex}}
     *
     * @param from the follower
     * @param to the leader
     * @param term the follower's current term
     * @param rejectedPrevIndex the previous index of the rejected request
     * @param hint the backtracking hint (see the class comment)
     */
    public static AppendEntriesResponse rejected(long from, long to, long term, long rejectedPrevIndex,
                                                 LogId hint) {
        return new AppendEntriesResponse(from, to, term, false, 0, rejectedPrevIndex, hint);
    }
}
