package io.ringraft.internal.client;

import io.ringraft.api.Bytes;
import io.ringraft.api.client.SessionCommands;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;

/**
 * Applies a batch of enveloped entries: session bookkeeping for register, unregister and session
 * commands, the first answer cached and replayed to duplicates, and every fresh command handed to
 * the wrapped state machine in runs of consecutive entries, without its envelope. Applier thread
 * only (or under the wrapper's lock).
 */
public final class SessionApplier {

    private final StateMachine delegate;
    private final SessionTable table;
    private final CommandRun run = new CommandRun();
    private final RunResults runResults = new RunResults();
    private ClientSession[] runSessions = new ClientSession[16];
    private long[] runSeqs = new long[16];
    private StateMachine.ApplyResults results;
    private final java.util.function.Function<Object, byte[]> encoder;

    /**
     * @param delegate the wrapped state machine
     * @param table    the session table it shares with the wrapper's snapshots
     * @param encoder  turns a session command's result into the bytes cached and sent to its client
     */
    public SessionApplier(StateMachine delegate, SessionTable table, java.util.function.Function<Object, byte[]> encoder) {
        this.delegate = delegate;
        this.encoder = encoder;
        this.table = table;
    }

    /**
     * Applies {@code entries}, setting one result or rejection per entry in {@code results}.
     *
     * @param entries the committed entries, each a {@link SessionCommands} envelope
     * @param results where their answers go
     * @throws IllegalStateException if the encoder refused a session command's result
     */
    public void apply(LogEntries entries, StateMachine.ApplyResults results) {
        this.results = results;
        run.reset(entries);
        int count = entries.count();
        for (int i = 0; i < count; i++) {
            Bytes payload = entries.payloadAt(i);
            byte type = payload.length() == 0 ? 0 : payload.getByte(0);
            switch (type) {
                case SessionCommands.PLAIN -> queue(i, null, 0);
                case SessionCommands.REGISTER -> register(entries.firstIndex() + i, payload, i);
                case SessionCommands.UNREGISTER -> unregister(payload, i);
                case SessionCommands.COMMAND -> command(payload, i);
                default -> malformed(i, "entry is not a session envelope (type " + type + ", " + payload.length()
                        + " bytes)");
            }
        }
        flush();
        this.results = null;
    }

    private void register(long index, Bytes payload, int offset) {
        if (payload.length() != 9) {
            malformed(offset, "REGISTER of " + payload.length() + " bytes");
            return;
        }
        long time = payload.getLong(1); // before flush(): it re-points the entries' payload flyweight
        flush();
        table.advance(time);
        if (table.open(index)) {
            results.set(offset, java.nio.ByteBuffer.allocate(8).putLong(index).array());
        } else {
            results.reject(offset, SessionCommands.SESSIONS_FULL, "the session table is full ("
                    + table.size() + " sessions); retry once sessions expire or close");
        }
    }

    private void unregister(Bytes payload, int offset) {
        if (payload.length() != 17) {
            malformed(offset, "UNREGISTER of " + payload.length() + " bytes");
            return;
        }
        long clientId = payload.getLong(1); // before flush(): it re-points the entries' payload flyweight
        long time = payload.getLong(9);
        flush();
        table.advance(time);
        table.close(clientId);
        results.set(offset, null);
    }

    private void command(Bytes payload, int offset) {
        if (payload.length() < SessionCommands.COMMAND_HEADER_BYTES) {
            malformed(offset, "COMMAND of " + payload.length() + " bytes");
            return;
        }
        long clientId = payload.getLong(1);
        long seq = payload.getLong(9);
        long ackedBelow = payload.getLong(17);
        table.advance(payload.getLong(25));
        ClientSession session = table.touch(clientId);
        if (session == null) {
            flush();
            results.reject(offset, SessionCommands.SESSION_EXPIRED, "session " + clientId
                    + " is not open (expired, closed or never opened): the command may have taken effect before");
            return;
        }
        session.acknowledge(Math.min(ackedBelow, seq));
        CachedResult cached = session.results.get(seq);
        if (cached == CachedResult.PENDING) {
            flush(); // a duplicate of a command earlier in this batch: apply that one first
            cached = session.results.get(seq);
        }
        if (cached != null) {
            flush();
            replay(offset, cached);
        } else if (seq < session.ackedBelow) {
            flush();
            results.reject(offset, SessionCommands.STALE_SEQUENCE, "sequence " + seq + " of session " + clientId
                    + " was acknowledged by its client and its result dropped: it took effect once");
        } else if (session.results.size() >= table.maxResultsPerSession()) {
            flush();
            results.reject(offset, SessionCommands.TOO_MANY_IN_FLIGHT, "session " + clientId + " holds "
                    + session.results.size() + " unacknowledged results (the most it keeps)");
        } else {
            session.results.put(seq, CachedResult.PENDING);
            queue(offset, session, seq);
        }
    }

    private void queue(int offset, ClientSession session, long seq) {
        int at = run.count();
        if (at == runSessions.length) {
            runSessions = java.util.Arrays.copyOf(runSessions, at * 2);
            runSeqs = java.util.Arrays.copyOf(runSeqs, at * 2);
        }
        runSessions[at] = session;
        runSeqs[at] = seq;
        run.add(offset);
    }

    private void malformed(int offset, String why) {
        flush();
        results.reject(offset, SessionCommands.MALFORMED, why);
    }

    private void replay(int offset, CachedResult cached) {
        if (cached.rejected()) {
            results.reject(offset, cached.code(), cached.message());
        } else {
            results.set(offset, cached.result());
        }
    }

    private void flush() {
        if (run.isEmpty()) {
            return;
        }
        int count = run.count();
        runResults.prepare(count);
        delegate.apply(run, runResults);
        int start = run.start();
        for (int k = 0; k < count; k++) {
            ClientSession session = runSessions[k];
            runSessions[k] = null;
            if (runResults.rejected[k]) {
                results.reject(start + k, runResults.codes[k], runResults.messages[k]);
                if (session != null) {
                    session.results.replace(runSeqs[k], CachedResult.PENDING,
                            new CachedResult(null, true, runResults.codes[k], runResults.messages[k]));
                }
            } else {
                Object value = runResults.values[k];
                if (session != null) {
                    value = encoder.apply(value); // duplicates get these cached bytes
                    session.results.replace(runSeqs[k], CachedResult.PENDING,
                            new CachedResult((byte[]) value, false, 0, null));
                }
                results.set(start + k, value);
            }
        }
        run.clear();
    }
}
