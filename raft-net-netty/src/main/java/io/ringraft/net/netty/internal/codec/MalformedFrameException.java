package io.ringraft.net.netty.internal.codec;

/**
 * A frame that does not follow the wire format: the connection it came from is closed. Carries no
 * stack trace: it describes bad input, not a bug, and a peer sending garbage should not cost the
 * node a stack walk per frame.
 */
public final class MalformedFrameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message, null, false, false);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message + ": " + cause, null, false, false);
    }
}
