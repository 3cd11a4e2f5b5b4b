package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Arrays;

/**
 * Many groups' answers to heartbeats from one process to another in one message: entry {@code i}
 * stands for the {@link AppendEntriesResponse} that {@link #response(int)} rebuilds, from
 * {@code from} to {@code to} in group {@code groupIds[i]}. Travels under
 * {@link HeartbeatBatch#HOST_GROUP_ID} like {@link HeartbeatBatch}; an empty one is a keep-alive too
 * (the host link sends {@link HeartbeatBatch#keepAlive}, but accepts both).
 *
 * <p><b>Layout.</b> Parallel primitive arrays, one element per group, all of one length, at most
 * {@link HeartbeatBatch#MAX_GROUPS}; taken without a copy and never changed afterwards (see
 * {@link HeartbeatBatch}). Success is one bit per group in {@code successes} (bit {@code i % 64} of
 * word {@code i / 64}), so the array has {@code (size + 63) / 64} words and no bit set at or above
 * the size. Each element follows {@link AppendEntriesResponse}'s rules.
 *
 * @param from               the answering process's node id
 * @param to                 the leaders' process's node id
 * @param groupIds           the group of each answer (never {@link HeartbeatBatch#HOST_GROUP_ID})
 * @param terms              each answer's term (the follower's current term)
 * @param successes          the success bits, as above
 * @param matchIndexes       each answer's {@code matchIndex}
 * @param rejectedPrevIndexes each answer's {@code rejectedPrevIndex}
 * @param hintTerms          each answer's {@code hint().term()}
 * @param hintIndexes        each answer's {@code hint().index()}
 */
public record HeartbeatBatchResponse(long from, long to, long[] groupIds, long[] terms, long[] successes,
                                     long[] matchIndexes, long[] rejectedPrevIndexes, long[] hintTerms,
                                     long[] hintIndexes) implements RaftMessage {

    private static final long[] NONE = new long[0];

    /**
     * Checks the fields (the rules are in the class and parameter comments).
     *
     * @param from               the answering process's node id
     * @param to                 the leaders' process's node id
     * @param groupIds           the group of each answer
     * @param terms              each answer's term
     * @param successes          the success bits
     * @param matchIndexes       each answer's match index
     * @param rejectedPrevIndexes each answer's rejected previous index
     * @param hintTerms          each answer's hint term
     * @param hintIndexes        each answer's hint index
     * @throws IllegalArgumentException if the arrays differ in length, exceed the bound, the success
     *                                  words do not fit the size, or an element breaks its rule
     * @throws NullPointerException     if an array is null
     */
    public HeartbeatBatchResponse {
        RaftMessage.checkHeader(from, to, 0);
        int n = HeartbeatBatch.checkLengths(groupIds, terms, matchIndexes, rejectedPrevIndexes, hintTerms, hintIndexes);
        if (successes == null) {
            throw new NullPointerException("successes");
        }
        if (successes.length != wordsFor(n) || (n % 64 != 0 && successes[n / 64] >>> (n % 64) != 0)) {
            throw new IllegalArgumentException("successes must have " + wordsFor(n) + " words and no bit at or above "
                    + n + ", got " + successes.length + " words");
        }
        for (int i = 0; i < n; i++) {
            if (groupIds[i] == HeartbeatBatch.HOST_GROUP_ID) {
                throw new IllegalArgumentException("answer " + i + " names the reserved host group id");
            }
            if (terms[i] < 0 || matchIndexes[i] < 0 || rejectedPrevIndexes[i] < 0 || hintTerms[i] < 0
                    || hintIndexes[i] < 0) {
                throw new IllegalArgumentException("answer " + i + " of group " + groupIds[i] + " is invalid: term="
                        + terms[i] + " match=" + matchIndexes[i] + " rejectedPrev=" + rejectedPrevIndexes[i]
                        + " hint=" + hintTerms[i] + "-" + hintIndexes[i]);
            }
        }
    }

    /**
     * A batch with no answers (a keep-alive).
     *
     * @param from the sending process's node id
     * @param to   the receiving process's node id
     * @return the empty batch
     */
    public static HeartbeatBatchResponse empty(long from, long to) {
        return new HeartbeatBatchResponse(from, to, NONE, NONE, NONE, NONE, NONE, NONE, NONE);
    }

    /**
     * {@return how many {@code long} words hold {@code size} success bits}
     *
     * @param size the number of answers
     */
    public static int wordsFor(int size) {
        return (size + 63) >>> 6;
    }

    /** {@return 0: a batch has no term of its own, each answer carries its group's} */
    @Override
    public long term() {
        return 0;
    }

    /** {@return the number of answers (0 for a keep-alive)} */
    public int size() {
        return groupIds.length;
    }

    /**
     * {@return whether answer {@code i} is a success}
     *
     * @param i the answer, {@code 0 <= i < size()}
     */
    public boolean success(int i) {
        return (successes[i >>> 6] & (1L << i)) != 0;
    }

    /**
     * The answer entry {@code i} stands for, exactly as its follower built it. Allocates the message;
     * any thread.
     *
     * @param i the answer, {@code 0 <= i < size()}
     * @return the per-group response
     */
    public AppendEntriesResponse response(int i) {
        return new AppendEntriesResponse(from, to, terms[i], success(i), matchIndexes[i], rejectedPrevIndexes[i],
                new LogId(hintTerms[i], hintIndexes[i]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeartbeatBatchResponse b && from == b.from && to == b.to
                && Arrays.equals(groupIds, b.groupIds) && Arrays.equals(terms, b.terms)
                && Arrays.equals(successes, b.successes) && Arrays.equals(matchIndexes, b.matchIndexes)
                && Arrays.equals(rejectedPrevIndexes, b.rejectedPrevIndexes) && Arrays.equals(hintTerms, b.hintTerms)
                && Arrays.equals(hintIndexes, b.hintIndexes);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(from) * 31 + Long.hashCode(to);
        h = h * 31 + Arrays.hashCode(groupIds);
        h = h * 31 + Arrays.hashCode(terms);
        h = h * 31 + Arrays.hashCode(successes);
        h = h * 31 + Arrays.hashCode(matchIndexes);
        h = h * 31 + Arrays.hashCode(rejectedPrevIndexes);
        h = h * 31 + Arrays.hashCode(hintTerms);
        return h * 31 + Arrays.hashCode(hintIndexes);
    }

    /** {@return the sender, receiver, count and the first few answers as {@code group:Tterm ok/match or no/prev}} */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("HeartbeatBatchResponse[").append(from).append("->").append(to)
                .append(" groups=").append(size());
        for (int i = 0; i < Math.min(3, size()); i++) {
            s.append(i == 0 ? " " : ", ").append(groupIds[i]).append(":T").append(terms[i]);
            if (success(i)) {
                s.append(" ok match=").append(matchIndexes[i]);
            } else {
                s.append(" no prev=").append(rejectedPrevIndexes[i]).append(" hint=").append(hintTerms[i]).append('-')
                        .append(hintIndexes[i]);
            }
        }
        return s.append(size() > 3 ? ", ...]" : "]").toString();
    }
}
