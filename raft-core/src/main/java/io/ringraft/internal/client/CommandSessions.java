package io.ringraft.internal.client;

import io.ringraft.api.Bytes;
import io.ringraft.api.client.SessionCommands;
import java.util.function.Function;

/**
 * Client sessions for a state machine that applies one command at a time (a messaging group's
 * application, {@code io.ringraft.messaging.MessagingStateMachine}): takes one {@link SessionCommands}
 * envelope, does the session bookkeeping, and hands a fresh command to the application without its
 * envelope; a duplicate gets the first answer. The same rules, table and snapshot layout as
 * {@link SessionApplier}. Called on the applier thread only (or under the wrapper's lock).
 */
public final class CommandSessions {

    /** Where a command's refusal goes. */
    @FunctionalInterface
    public interface Refusal {
        /**
         * Refuses the command.
         *
         * @param code    the code
         * @param message a description
         */
        void reject(int code, String message);
    }

    /** The application: applies one command (without its envelope). */
    @FunctionalInterface
    public interface Inner {
        /**
         * Applies {@code command}.
         *
         * @param command the command's bytes, valid during the call
         * @param refusal where the application refuses it
         * @return its result
         */
        Object apply(Bytes command, Refusal refusal);
    }

    /** Records whether the application refused the command in progress. */
    private static final class Recorder implements Refusal {
        boolean rejected;
        int code;
        String message;

        @Override
        public void reject(int code, String message) {
            this.rejected = true;
            this.code = code;
            this.message = message;
        }
    }

    private final SessionTable table;
    private final Function<Object, byte[]> encoder;
    private final PayloadSlice slice = new PayloadSlice();
    private final Recorder recorder = new Recorder();

    /**
     * @param table   the session table, shared with the wrapper's snapshots
     * @param encoder turns a session command's result into the bytes cached and sent to its client
     */
    public CommandSessions(SessionTable table, Function<Object, byte[]> encoder) {
        this.table = table;
        this.encoder = encoder;
    }

    /**
     * Applies one enveloped command.
     *
     * @param index    the entry's log index (a REGISTER's is the new client id)
     * @param envelope the entry's payload, a {@link SessionCommands} envelope
     * @param inner    the application
     * @param refusal  where this command's refusal goes
     * @return the command's result (a session command's: the encoded bytes), or null if refused
     */
    public Object apply(long index, Bytes envelope, Inner inner, Refusal refusal) {
        byte type = envelope.length() == 0 ? 0 : envelope.getByte(0);
        switch (type) {
            case SessionCommands.PLAIN:
                return inner.apply(slice.of(envelope, SessionCommands.PLAIN_HEADER_BYTES), refusal);
            case SessionCommands.REGISTER:
                if (envelope.length() != 9) {
                    refusal.reject(SessionCommands.MALFORMED, "REGISTER of " + envelope.length() + " bytes");
                    return null;
                }
                table.advance(envelope.getLong(1));
                if (table.open(index)) {
                    return java.nio.ByteBuffer.allocate(8).putLong(index).array();
                }
                refusal.reject(SessionCommands.SESSIONS_FULL, "the session table is full (" + table.size()
                        + " sessions); retry once sessions expire or close");
                return null;
            case SessionCommands.UNREGISTER:
                if (envelope.length() != 17) {
                    refusal.reject(SessionCommands.MALFORMED, "UNREGISTER of " + envelope.length() + " bytes");
                    return null;
                }
                table.advance(envelope.getLong(9));
                table.close(envelope.getLong(1));
                return null;
            case SessionCommands.COMMAND:
                return command(envelope, inner, refusal);
            default:
                refusal.reject(SessionCommands.MALFORMED, "entry is not a session envelope (type " + type + ", "
                        + envelope.length() + " bytes)");
                return null;
        }
    }

    private Object command(Bytes envelope, Inner inner, Refusal refusal) {
        if (envelope.length() < SessionCommands.COMMAND_HEADER_BYTES) {
            refusal.reject(SessionCommands.MALFORMED, "COMMAND of " + envelope.length() + " bytes");
            return null;
        }
        long clientId = envelope.getLong(1);
        long seq = envelope.getLong(9);
        long ackedBelow = envelope.getLong(17);
        table.advance(envelope.getLong(25));
        ClientSession session = table.touch(clientId);
        if (session == null) {
            refusal.reject(SessionCommands.SESSION_EXPIRED, "session " + clientId
                    + " is not open (expired, closed or never opened): the command may have taken effect before");
            return null;
        }
        session.acknowledge(Math.min(ackedBelow, seq));
        CachedResult cached = session.results.get(seq);
        if (cached != null) {
            if (cached.rejected()) {
                refusal.reject(cached.code(), cached.message());
                return null;
            }
            return cached.result();
        }
        if (seq < session.ackedBelow) {
            refusal.reject(SessionCommands.STALE_SEQUENCE, "sequence " + seq + " of session " + clientId
                    + " was acknowledged by its client and its result dropped: it took effect once");
            return null;
        }
        if (session.results.size() >= table.maxResultsPerSession()) {
            refusal.reject(SessionCommands.TOO_MANY_IN_FLIGHT, "session " + clientId + " holds "
                    + session.results.size() + " unacknowledged results (the most it keeps)");
            return null;
        }
        recorder.rejected = false;
        Object value = inner.apply(slice.of(envelope, SessionCommands.COMMAND_HEADER_BYTES), recorder);
        if (recorder.rejected) {
            session.results.put(seq, new CachedResult(null, true, recorder.code, recorder.message));
            refusal.reject(recorder.code, recorder.message);
            return null;
        }
        byte[] bytes = encoder.apply(value); // duplicates get these bytes
        session.results.put(seq, new CachedResult(bytes, false, 0, null));
        return bytes;
    }
}
