package io.ringraft.message;

import java.util.Objects;

/**
 * A follower asks the leader to propose a command on its behalf ({@code RaftNode.forward}). The leader
 * answers with a {@link ForwardProposalResult}: where it appended the command, or why it did not. Not
 * part of the Raft protocol: it changes no term, vote or log by itself.
 *
 * <p><b>Deadline.</b> {@code budgetNanos} is how long after it arrives the leader may still append the
 * command (the follower's own wait, less a margin for the answer's way back); a leader that takes it
 * later refuses it ({@code EXPIRED}) instead of appending what the client stopped waiting for. It is
 * relative, so the two nodes' clocks need not agree. {@code receivedNanos} is not sent: the receiving
 * runtime stamps it from its own clock when the transport hands the message over ({@link #received}).
 *
 * @param from          the follower
 * @param to            the node it believes leads
 * @param term          the follower's current term
 * @param requestId     the follower's id for the request (unique per follower incarnation)
 * @param command       the command's bytes; not copied, not to be modified
 * @param budgetNanos   how long after arriving it may still be appended; 0: no limit
 * @param receivedNanos the receiver's clock when the message arrived; 0 until the receiver stamps it
 */
public record ForwardProposal(long from, long to, long term, long requestId, byte[] command, long budgetNanos,
                              long receivedNanos) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the follower
     * @param to        the node it believes leads
     * @param term      the follower's current term
     * @param requestId the follower's id for the request (unique per follower incarnation)
     * @param command   the command's bytes; not copied, not to be modified
     * @param budgetNanos   how long after arriving it may still be appended; 0: no limit
     * @param receivedNanos the receiver's clock when the message arrived; 0 until the receiver stamps it
     * @throws IllegalArgumentException if {@code budgetNanos} is negative
     * @throws NullPointerException     if a reference field is null
     */
    public ForwardProposal {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(command, "command");
        if (budgetNanos < 0) {
            throw new IllegalArgumentException("budgetNanos must not be negative, got " + budgetNanos);
        }
    }

    /**
     * A forward without a deadline (the leader appends it whenever it takes it).
     *
     * @param from      the follower
     * @param to        the node it believes leads
     * @param term      the follower's current term
     * @param requestId the follower's id for the request (unique per follower incarnation)
     * @param command   the command's bytes; not copied, not to be modified
     * @throws NullPointerException if {@code command} is null
     */
    public ForwardProposal(long from, long to, long term, long requestId, byte[] command) {
        this(from, to, term, requestId, command, 0, 0);
    }

    /**
     * This message as taken by the receiver at {@code nowNanos} of its own clock.
     *
     * @param nowNanos the receiver's clock
     * @return a copy stamped with its arrival
     */
    public ForwardProposal received(long nowNanos) {
        return new ForwardProposal(from, to, term, requestId, command, budgetNanos, nowNanos == 0 ? 1 : nowNanos);
    }

    /**
     * Whether its budget ran out by {@code nowNanos} (the receiver's clock): it must not be appended.
     *
     * @param nowNanos the receiver's clock
     * @return true if it has a budget, was stamped on arrival, and {@code budgetNanos} passed since
     */
    public boolean expired(long nowNanos) {
        return budgetNanos > 0 && receivedNanos != 0 && nowNanos - receivedNanos >= budgetNanos;
    }

    @Override
    public String toString() {
        return "ForwardProposal[from=" + from + " to=" + to + " term=" + term + " request=" + requestId + " bytes="
                + command.length + " budget=" + budgetNanos + "ns]";
    }
}
