package io.ringraft.api;

/**
 * Back-pressure: a bounded queue or buffer was full (or the command too large) and the command was
 * refused before it entered the log. Retry later, or slow down.
 */
public final class RejectedException extends RaftException {

    /**
     * A request refused before it was queued; it never took effect.
     *
     * @param message what was full or too large
     */
    public RejectedException(String message) {
        super(message, null);
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
