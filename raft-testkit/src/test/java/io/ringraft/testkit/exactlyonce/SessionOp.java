package io.ringraft.testkit.exactlyonce;

/** What a simulated session client asks: open a session, add in it (maybe again: a retry), or read. */
sealed interface SessionOp {

    /** Opens a session; the output is its client id. */
    record Register() implements SessionOp {
    }

    /** Adds {@code amount} as command {@code seq} of session {@code clientId}; the output is the value after. */
    record Add(long clientId, long seq, long amount) implements SessionOp {
    }

    /** Reads the value. */
    record Read() implements SessionOp {
    }
}
