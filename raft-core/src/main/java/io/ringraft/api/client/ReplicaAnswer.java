package io.ringraft.api.client;

import io.ringraft.api.Role;

/**
 * One replica's part of a {@link GroupClient#askAll} answer: its result with its applied index and role
 * when it answered, or why it did not. Immutable.
 *
 * @param nodeId       the replica
 * @param role         its role when it answered, or null if it did not
 * @param appliedIndex its applied index when it answered, or -1
 * @param result       its answer (may be null), or null
 * @param error        why it did not answer, or null if it did
 */
public record ReplicaAnswer(long nodeId, Role role, long appliedIndex, byte[] result, ClientException error) {

    /** {@return whether the replica answered} */
    public boolean ok() {
        return error == null;
    }
}
