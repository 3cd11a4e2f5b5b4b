package io.ringraft.api;

/** The node was closed (or not started) before the command entered the log. */
public final class NodeStoppedException extends RaftException {

    /**
     * A request refused because the node is stopped (closed or fail-stopped).
     *
     * @param message which node stopped, and when
     */
    public NodeStoppedException(String message) {
        super(message, null);
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
