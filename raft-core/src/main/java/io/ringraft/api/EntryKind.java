package io.ringraft.api;

/**
 * What a log entry carries. The kind is replicated with the entry and tells the applier whether the
 * entry goes to the user's state machine.
 */
public enum EntryKind {
    /** A user command, applied to the {@code StateMachine}. */
    COMMAND((byte) 1),
    /**
     * The empty entry a new leader appends at the start of its term so that it can commit entries of
     * earlier terms (Raft paper section 5.4.2, Figure 8). Never reaches the state machine.
     */
    NOOP((byte) 2),
    /**
     * A cluster configuration (voters and learners; while a change is in progress, the old voters
     * too). It takes effect on each node as soon as it is in that node's log, and never reaches the
     * state machine.
     */
    CONFIG((byte) 3);

    private final byte code;

    EntryKind(byte code) {
        this.code = code;
    }

    /** {@return the stable one-byte code used by storage and wire formats} */
    public byte code() {
        return code;
    }

    /**
     * Decodes a code written by {@link #code()}.
     *
     * @param code a code written by {@link #code()}
     * @return the kind with that code
     * @throws IllegalArgumentException for a code no kind has
     */
    public static EntryKind fromCode(byte code) {
        return switch (code) {
            case 1 -> COMMAND;
            case 2 -> NOOP;
            case 3 -> CONFIG;
            default -> throw new IllegalArgumentException("unknown entry kind code " + code);
        };
    }

    /**
     * {@return true if {@code code} is the code of a kind (for decoders validating input)}
     *
     * @param code a code written by {@link #code()}
     */
    public static boolean isKnown(byte code) {
        return code >= 1 && code <= 3;
    }
}
