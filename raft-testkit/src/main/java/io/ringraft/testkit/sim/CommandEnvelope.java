package io.ringraft.testkit.sim;

import io.ringraft.api.Bytes;

/**
 * How the simulator frames a client's command in the log: an 8-byte operation id (big-endian, unique per
 * run) before the user's command bytes. The id lets the safety checker find every acknowledged write in
 * every node's applied log; {@link ObservedStateMachine} strips it before the user's state machine sees
 * the command. Stateless.
 */
final class CommandEnvelope {

    /** Bytes the envelope adds in front of the user's command. */
    static final int HEADER = Long.BYTES;

    private CommandEnvelope() {
    }

    /** The command {@code command} of operation {@code opId}, framed. */
    static byte[] wrap(long opId, byte[] command) {
        byte[] framed = new byte[HEADER + command.length];
        for (int i = 0; i < HEADER; i++) {
            framed[i] = (byte) (opId >>> (56 - 8 * i));
        }
        System.arraycopy(command, 0, framed, HEADER, command.length);
        return framed;
    }

    /** The operation id of a framed command. */
    static long opId(byte[] framed) {
        return opId(Bytes.wrap(framed));
    }

    /** The operation id of a framed command. */
    static long opId(Bytes framed) {
        if (framed.length() < HEADER) {
            throw new AssertionError("a command of " + framed.length() + " bytes carries no operation id:"
                    + " every command in a simulation is proposed through the simulator");
        }
        return framed.getLong(0);
    }
}
