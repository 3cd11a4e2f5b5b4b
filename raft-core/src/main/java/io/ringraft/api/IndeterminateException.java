package io.ringraft.api;

/**
 * The command entered the leader's log, but the leader lost leadership before it committed. A later
 * leader may still commit it, or may discard it.
 */
public final class IndeterminateException extends RaftException {

    /**
     * A failure whose command may or may not have taken effect.
     *
     * @param message why the outcome is unknown
     */
    public IndeterminateException(String message) {
        super(message, null);
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return true;
    }
}
