package io.ringraft.api;

/**
 * The node's storage failed (write or fsync error, full disk, corruption) and the node stopped
 * (fail-stop). Commands in flight may or may not have taken effect in the cluster.
 */
public final class StorageFailedException extends RaftException {

    /**
     * A storage failure that stopped the node.
     *
     * @param message what failed
     * @param cause   the storage's error
     */
    public StorageFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return true;
    }
}
