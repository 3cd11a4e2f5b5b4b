package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import java.nio.ByteBuffer;

/**
 * The envelopes of commands for a {@link SessionStateMachine}: every command proposed to a group whose
 * state machine is wrapped in one must be built here. Called by the client protocol's server side (on
 * the leader, which stamps its clock into the envelope) and by applications that propose directly; any
 * thread, no state.
 *
 * <p>Layouts (big-endian): {@code PLAIN: 1 | payload}; {@code REGISTER: 2 | time:i64};
 * {@code COMMAND: 3 | clientId:i64 | seq:i64 | ackedBelow:i64 | time:i64 | payload};
 * {@code UNREGISTER: 4 | clientId:i64 | time:i64}. {@code time} is the proposing leader's wall clock in
 * milliseconds: the wrapper's log time is the largest time any applied entry carried, the same on every
 * replica, and sessions expire by it, never by a replica's own clock.
 *
 * <p>The reserved rejection codes below are what the wrapper rejects session commands with
 * ({@code RejectedByStateMachineException.code()}); the wrapped state machine must not use them.
 */
public final class SessionCommands {

    /** Envelope type: a command outside any session (applied every time it is proposed). */
    public static final byte PLAIN = 1;
    /** Envelope type: opens a session; its result is the new client id (8 bytes, the entry's index). */
    public static final byte REGISTER = 2;
    /** Envelope type: a command in a session, applied once per (client id, sequence). */
    public static final byte COMMAND = 3;
    /** Envelope type: closes a session. */
    public static final byte UNREGISTER = 4;

    /** Header bytes before a {@link #PLAIN} command's payload. */
    public static final int PLAIN_HEADER_BYTES = 1;
    /** Header bytes before a {@link #COMMAND}'s payload. */
    public static final int COMMAND_HEADER_BYTES = 1 + 8 + 8 + 8 + 8;

    /** Rejection code: the session is unknown (expired, closed or never opened); the command may have taken effect earlier. */
    public static final int SESSION_EXPIRED = Integer.MIN_VALUE;
    /** Rejection code: the session table is full ({@link SessionStateMachine.Builder#maxSessions}); nothing changed. */
    public static final int SESSIONS_FULL = Integer.MIN_VALUE + 1;
    /** Rejection code: the session holds {@code maxResultsPerSession} unacknowledged results; nothing changed. */
    public static final int TOO_MANY_IN_FLIGHT = Integer.MIN_VALUE + 2;
    /** Rejection code: the sequence was acknowledged by the client and its result dropped; it took effect once. */
    public static final int STALE_SEQUENCE = Integer.MIN_VALUE + 3;
    /** Rejection code: the entry is not a valid envelope; nothing changed. */
    public static final int MALFORMED = Integer.MIN_VALUE + 4;

    private SessionCommands() {
    }

    /**
     * {@return whether {@code code} is one of the wrapper's reserved rejection codes}
     *
     * @param code a rejection code
     */
    public static boolean isReserved(int code) {
        return code >= SESSION_EXPIRED && code <= MALFORMED;
    }

    /**
     * A command outside any session.
     *
     * @param payload the wrapped state machine's command
     * @return the envelope
     */
    public static byte[] plain(byte[] payload) {
        return ByteBuffer.allocate(PLAIN_HEADER_BYTES + payload.length).put(PLAIN).put(payload).array();
    }

    /**
     * Opens a session.
     *
     * @param timeMillis the proposing leader's wall clock
     * @return the envelope
     */
    public static byte[] register(long timeMillis) {
        return ByteBuffer.allocate(9).put(REGISTER).putLong(timeMillis).array();
    }

    /**
     * A command in session {@code clientId}.
     *
     * @param clientId   the session's id (the result of its {@link #register})
     * @param seq        the command's sequence number in the session, from 1, each command its own
     * @param ackedBelow every sequence below it has its answer at the client: the wrapper may drop their results
     * @param timeMillis the proposing leader's wall clock
     * @param payload    the wrapped state machine's command
     * @return the envelope
     */
    public static byte[] command(long clientId, long seq, long ackedBelow, long timeMillis, byte[] payload) {
        return ByteBuffer.allocate(COMMAND_HEADER_BYTES + payload.length).put(COMMAND).putLong(clientId).putLong(seq)
                .putLong(ackedBelow).putLong(timeMillis).put(payload).array();
    }

    /**
     * Closes session {@code clientId}.
     *
     * @param clientId   the session's id
     * @param timeMillis the proposing leader's wall clock
     * @return the envelope
     */
    public static byte[] unregister(long clientId, long timeMillis) {
        return ByteBuffer.allocate(17).put(UNREGISTER).putLong(clientId).putLong(timeMillis).array();
    }

    /**
     * Re-stamps a {@link #REGISTER}, {@link #COMMAND} or {@link #UNREGISTER} envelope with the
     * leader's time, in place (the client protocol's server does so on the leader).
     *
     * @param envelope   an envelope built here
     * @param timeMillis the leader's wall clock
     * @throws IllegalArgumentException if it is not such an envelope
     */
    public static void stamp(byte[] envelope, long timeMillis) {
        ByteBuffer buffer = ByteBuffer.wrap(envelope);
        switch (envelope.length == 0 ? 0 : envelope[0]) {
            case REGISTER -> check(envelope, 9).putLong(1, timeMillis);
            case COMMAND -> check(envelope, COMMAND_HEADER_BYTES).putLong(25, timeMillis);
            case UNREGISTER -> check(envelope, 17).putLong(9, timeMillis);
            default -> throw new IllegalArgumentException("not a stamped session envelope (type "
                    + (envelope.length == 0 ? "none" : envelope[0]) + ")");
        }
        buffer.clear();
    }

    private static ByteBuffer check(byte[] envelope, int min) {
        if (envelope.length < min) {
            throw new IllegalArgumentException("session envelope of " + envelope.length + " bytes, needs " + min);
        }
        return ByteBuffer.wrap(envelope);
    }

    /**
     * {@return the client id a {@link #REGISTER} command's result holds}
     *
     * @param result the result bytes of a register command
     */
    public static long clientIdOf(byte[] result) {
        return Bytes.wrap(result).getLong(0);
    }
}
