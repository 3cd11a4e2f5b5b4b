package io.ringraft.message;

import java.util.Objects;

/**
 * A follower asks the leader to propose a command on its behalf ({@code RaftNode.forward}). The leader
 * answers with a {@link ForwardProposalResult}: where it appended the command, or why it did not. Not
 * part of the Raft protocol: it changes no term, vote or log by itself.
 *
 * @param from      the follower
 * @param to        the node it believes leads
 * @param term      the follower's current term
 * @param requestId the follower's id for the request (unique per follower incarnation)
 * @param command   the command's bytes; not copied, not to be modified
 */
public record ForwardProposal(long from, long to, long term, long requestId, byte[] command) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from      the follower
     * @param to        the node it believes leads
     * @param term      the follower's current term
     * @param requestId the follower's id for the request (unique per follower incarnation)
     * @param command   the command's bytes; not copied, not to be modified
     * @throws NullPointerException     if a reference field is null
     */
    public ForwardProposal {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(command, "command");
    }

    @Override
    public String toString() {
        return "ForwardProposal[from=" + from + " to=" + to + " term=" + term + " request=" + requestId + " bytes="
                + command.length + "]";
    }
}
