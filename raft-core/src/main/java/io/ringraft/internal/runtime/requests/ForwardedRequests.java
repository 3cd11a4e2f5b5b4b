package io.ringraft.internal.runtime.requests;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * The leader's memory of the forwarded commands it appended in its current term, so that a duplicated
 * {@code ForwardProposal} (a network that repeats messages) is not appended twice.
 *
 * <p>Why per term is enough: a leader appends a forward only if it was sent in the leader's own term
 * (the follower knew this leader), and one term has one leader incarnation, whose memory this is. Per
 * sender it remembers the last {@link #REMEMBERED} request ids; follower incarnations use different
 * id ranges ({@code Forwards}). A duplicate older than that window would be appended again: exactly-once
 * beyond it needs sessions in the state machine (Raft dissertation, section 6.3). Over TCP the
 * transport never repeats a message, so the window only matters on lossy, duplicating networks.
 *
 * <p>A forward of an older term than the node's can still be answered definitely ({@code NOT_LEADER}):
 * the node appended forwards of that term only if it led then and took them then. The memory of the
 * last term it appended forwards in says which; for older terms, and for terms up to the one it had
 * when it started (a restart forgets), {@link #mayHaveAppended} answers "maybe" and the node stays
 * silent (the sender's wait ends uncertain), as an answer could be false for a duplicated message.
 *
 * <p>Core thread only. Bounded: {@code maxSenders} senders of {@link #REMEMBERED} ids each.
 */
public final class ForwardedRequests {

    static final int REMEMBERED = 256;

    private final int maxSenders;
    private final Long2ObjectHashMap<Sender> senders = new Long2ObjectHashMap<>();
    private long term = -1;
    /** Terms up to this one may have had forwards appended that this memory no longer holds. */
    private long unknownUpTo;

    private static final class Sender {
        final long[] recent = new long[REMEMBERED];
        final LongHashSet seen = new LongHashSet(REMEMBERED * 2);
        int next;
        int count;

        boolean add(long requestId) {
            if (!seen.add(requestId)) {
                return false;
            }
            if (count == recent.length) {
                seen.remove(recent[next]);
            } else {
                count++;
            }
            recent[next] = requestId;
            next = (next + 1) % recent.length;
            return true;
        }
    }

    /**
     * @param maxSenders  how many senders are remembered per term
     * @param startedTerm the node's term when it started: it may have appended forwards in any term up
     *                    to it in an earlier incarnation
     */
    public ForwardedRequests(int maxSenders, long startedTerm) {
        this.maxSenders = maxSenders;
        this.unknownUpTo = startedTerm;
    }

    /**
     * Records that {@code from}'s request {@code requestId} is being appended in {@code currentTerm}.
     *
     * @return false if it was appended already in this term (a duplicate), or too many senders are
     *         remembered (refuse it: the sender retries)
     */
    public boolean firstTime(long currentTerm, long from, long requestId) {
        if (currentTerm != term) {
            senders.clear();
            unknownUpTo = Math.max(unknownUpTo, term);
            term = currentTerm;
        }
        Sender sender = senders.get(from);
        if (sender == null) {
            if (senders.size() >= maxSenders) {
                return false;
            }
            sender = new Sender();
            senders.put(from, sender);
        }
        return sender.add(requestId);
    }

    /** Whether {@link #firstTime} would find room to remember {@code from} in {@code currentTerm}. */
    public boolean canRecord(long currentTerm, long from) {
        return currentTerm != term || senders.containsKey(from) || senders.size() < maxSenders;
    }

    /**
     * Whether this node may have appended {@code from}'s request sent in {@code forwardTerm}: it was
     * remembered in that term, or that term's memory is gone (or was never kept: before a restart).
     *
     * @return false only if this node certainly did not append it
     */
    public boolean mayHaveAppended(long forwardTerm, long from, long requestId) {
        if (forwardTerm == term) {
            Sender sender = senders.get(from);
            return sender != null && sender.seen.contains(requestId);
        }
        return forwardTerm <= unknownUpTo;
    }

    /** Whether {@code from}'s request was seen in this term (without recording it). */
    public boolean seen(long currentTerm, long from, long requestId) {
        Sender sender = currentTerm == term ? senders.get(from) : null;
        return sender != null && sender.seen.contains(requestId);
    }
}
