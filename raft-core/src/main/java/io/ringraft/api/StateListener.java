package io.ringraft.api;

/**
 * Told when a node's role, term or known leader changes (a new leader elected, this node stepping
 * down, a term change), with the node's full status at that moment; and once more, with role
 * {@link Role#FAILED}, when the node fail-stops (its status's {@code failure} says why).
 *
 * <p>Called on the node's core thread: return quickly and never block (hand the status to your own
 * thread if you need to do more). An exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface StateListener {

    /**
     * The node's role, term or leader changed, or it fail-stopped; called on the node's core thread, so it
     * must not block.
     *
     * @param status the node's status right after the change
     */
    void onStateChange(RaftStatus status);
}
