package io.ringraft.net.netty.internal.client;

/**
 * A decoded client response: the answer, and what the answering replica knows of its group (so the
 * client refreshes its leader and membership as a side effect of every answer).
 *
 * @param groupId            the group
 * @param requestId          the request it answers
 * @param status             how it went
 * @param nodeId             the answering replica
 * @param role               its role (ordinal of {@code io.ringraft.api.Role})
 * @param term               its term
 * @param leaderId           the leader it knows, 0 if none
 * @param appliedIndex       its applied index when it answered
 * @param commitIndex        its commit index when it answered
 * @param payload            the result (OK; null for a null result), or null
 * @param code               the rejection code (REJECTED)
 * @param mayHaveTakenEffect whether a failed command may have taken effect
 * @param message            a description of a failure, or null
 */
public record ClientResponse(long groupId, long requestId, ClientStatus status, long nodeId, int role, long term,
                             long leaderId, long appliedIndex, long commitIndex, byte[] payload, int code,
                             boolean mayHaveTakenEffect, String message) {
}
