package io.ringraft.message;

import io.ringraft.api.LogId;
import io.ringraft.spi.LogEntries;
import java.util.Arrays;
import java.util.Objects;

/**
 * Many groups' heartbeats from one process to another in one message (coalesced heartbeats, DESIGN
 * section 4b): entry {@code i} stands for the heartbeat {@link #heartbeat(int)} rebuilds, an
 * {@link AppendEntriesRequest} with no entries from {@code from} to {@code to} in group
 * {@code groupIds[i]}. A batch with no entries is a keep-alive: it only says that process
 * {@code from} is alive.
 *
 * <p>A batch belongs to the host, not to a group: it travels under the reserved group id
 * {@link #HOST_GROUP_ID}, from the host link of process {@code from} to that of process {@code to},
 * which splits it into per-group messages. It has no term of its own ({@link #term()} is 0); each
 * entry carries its group's. A node that receives one directly drops it.
 *
 * <p><b>Layout.</b> Parallel primitive arrays, one element per group, no per-group objects; all of
 * the same length, at most {@link #MAX_GROUPS}. The record takes the arrays as they are, without a
 * copy: whoever builds a batch hands them over and never changes them afterwards, and readers must
 * not change them either. {@link #equals} and {@link #hashCode} compare the contents.
 *
 * @param from           the sending process's node id
 * @param to             the receiving process's node id
 * @param groupIds       the group of each heartbeat (never {@link #HOST_GROUP_ID}; distinct when built
 *                       by the host link, which is not checked)
 * @param terms          each heartbeat's term (the leader's term)
 * @param prevLogTerms   each heartbeat's {@code prevLogId().term()}, at most its term
 * @param prevLogIndexes each heartbeat's {@code prevLogId().index()}
 * @param leaderCommits  each heartbeat's {@code leaderCommit}
 */
public record HeartbeatBatch(long from, long to, long[] groupIds, long[] terms, long[] prevLogTerms,
                             long[] prevLogIndexes, long[] leaderCommits) implements RaftMessage {

    /**
     * The group id under which host-level messages (this one and {@link HeartbeatBatchResponse})
     * travel: the transport routes them to the host link registered as node {@code to} of this group.
     * No Raft group may use it: {@code RaftNode.Builder.build()} and the host link refuse it.
     */
    public static final long HOST_GROUP_ID = Long.MIN_VALUE;

    /** The most heartbeats one batch carries (a sender with more sends several batches). */
    public static final int MAX_GROUPS = 16_384;

    private static final long[] NONE = new long[0];

    /**
     * Checks the fields (the rules are in the class and parameter comments).
     *
     * @param from           the sending process's node id
     * @param to             the receiving process's node id
     * @param groupIds       the group of each heartbeat
     * @param terms          each heartbeat's term
     * @param prevLogTerms   each heartbeat's previous entry's term
     * @param prevLogIndexes each heartbeat's previous entry's index
     * @param leaderCommits  each heartbeat's leader commit index
     * @throws IllegalArgumentException if the arrays differ in length or exceed {@link #MAX_GROUPS}, or
     *                                  an element breaks its rule (negative term, index or commit, a
     *                                  previous term above the term, the reserved group id, or an index
     *                                  so large the next one would overflow)
     * @throws NullPointerException     if an array is null
     */
    public HeartbeatBatch {
        RaftMessage.checkHeader(from, to, 0);
        int n = checkLengths(groupIds, terms, prevLogTerms, prevLogIndexes, leaderCommits);
        for (int i = 0; i < n; i++) {
            long term = terms[i];
            long prevTerm = prevLogTerms[i];
            long prevIndex = prevLogIndexes[i];
            if (groupIds[i] == HOST_GROUP_ID) {
                throw new IllegalArgumentException("heartbeat " + i + " names the reserved host group id");
            }
            if (term < 0 || prevTerm < 0 || prevTerm > term || prevIndex < 0 || prevIndex == Long.MAX_VALUE
                    || leaderCommits[i] < 0) {
                throw new IllegalArgumentException("heartbeat " + i + " of group " + groupIds[i] + " is invalid: term="
                        + term + " prev=" + prevTerm + "-" + prevIndex + " commit=" + leaderCommits[i]);
            }
        }
    }

    /**
     * A keep-alive: a batch with no heartbeats.
     *
     * @param from the sending process's node id
     * @param to   the receiving process's node id
     * @return the empty batch
     */
    public static HeartbeatBatch keepAlive(long from, long to) {
        return new HeartbeatBatch(from, to, NONE, NONE, NONE, NONE, NONE);
    }

    /** {@return 0: a batch has no term of its own, each heartbeat carries its group's} */
    @Override
    public long term() {
        return 0;
    }

    /** {@return the number of heartbeats (0 for a keep-alive)} */
    public int size() {
        return groupIds.length;
    }

    /**
     * The heartbeat entry {@code i} stands for, exactly as its leader built it: an AppendEntries with
     * no entries, positioned right after its previous entry. Allocates the message; any thread.
     *
     * @param i the entry, {@code 0 <= i < size()}
     * @return the per-group heartbeat
     */
    public AppendEntriesRequest heartbeat(int i) {
        long prevIndex = prevLogIndexes[i];
        return new AppendEntriesRequest(from, to, terms[i], new LogId(prevLogTerms[i], prevIndex),
                LogEntries.empty(prevIndex + 1), leaderCommits[i]);
    }

    /** Equal lengths, within the bound; returns the length. */
    static int checkLengths(long[]... arrays) {
        int n = Objects.requireNonNull(arrays[0], "groupIds").length;
        for (long[] array : arrays) {
            if (Objects.requireNonNull(array, "array").length != n) {
                throw new IllegalArgumentException("the per-group arrays must have one length, got "
                        + n + " and " + array.length);
            }
        }
        if (n > MAX_GROUPS) {
            throw new IllegalArgumentException("a batch carries at most " + MAX_GROUPS + " groups, got " + n);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeartbeatBatch b && from == b.from && to == b.to && Arrays.equals(groupIds, b.groupIds)
                && Arrays.equals(terms, b.terms) && Arrays.equals(prevLogTerms, b.prevLogTerms)
                && Arrays.equals(prevLogIndexes, b.prevLogIndexes) && Arrays.equals(leaderCommits, b.leaderCommits);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(from) * 31 + Long.hashCode(to);
        h = h * 31 + Arrays.hashCode(groupIds);
        h = h * 31 + Arrays.hashCode(terms);
        h = h * 31 + Arrays.hashCode(prevLogTerms);
        h = h * 31 + Arrays.hashCode(prevLogIndexes);
        return h * 31 + Arrays.hashCode(leaderCommits);
    }

    /** {@return the sender, receiver, count and the first few heartbeats as {@code group:Tterm prev commit}} */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("HeartbeatBatch[").append(from).append("->").append(to)
                .append(" groups=").append(size());
        for (int i = 0; i < Math.min(3, size()); i++) {
            s.append(i == 0 ? " " : ", ").append(groupIds[i]).append(":T").append(terms[i]).append(" prev=")
                    .append(prevLogTerms[i]).append('-').append(prevLogIndexes[i]).append(" commit=")
                    .append(leaderCommits[i]);
        }
        return s.append(size() > 3 ? ", ...]" : "]").toString();
    }
}
