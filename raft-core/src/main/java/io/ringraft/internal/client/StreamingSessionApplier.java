package io.ringraft.internal.client;

import io.ringraft.api.Bytes;
import io.ringraft.api.client.SessionCommands;
import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StreamingStateMachine;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Client sessions over a {@link StreamingStateMachine}: takes the node's committed envelopes, decides
 * in log order what each one is (session bookkeeping, a duplicate, a fresh command), hands the fresh
 * commands to the wrapped state machine in runs of consecutive entries without their envelopes, and
 * reports to the node what the wrapped state machine reports, later.
 *
 * <p><b>Progress.</b> Entries the wrapper answers itself (registers, unregisters, rejections, replays of
 * cached answers) get their result at once. An entry waits while its answer is not known: a fresh
 * command until the wrapped state machine reports it applied (then its answer is cached in the session,
 * encoded), and a duplicate of a command still waiting until that one's answer is known (it then gets
 * the same). The node hears "applied" up to just before the oldest waiting entry, so a proposer never
 * sees its answer before the command took effect, and the node's snapshots (taken only when everything
 * is reported) never see a half-applied command.
 *
 * <p><b>Threads.</b> {@link #accept} runs on the node's applier thread; the wrapped state machine reports
 * (this object is its {@link ApplyProgress}) from any thread. Everything holds {@code lock}, the
 * wrapper's. The wrapped state machine may report inside its {@code accept} (the lock is re-entrant).
 *
 * <p><b>Bounded.</b> One waiting record per entry handed over and not yet reported applied: the node
 * bounds those by its ring ({@code RaftConfig.ringCapacityEntries}) and its views in flight.
 */
public final class StreamingSessionApplier implements ApplyProgress {

    /** An entry whose answer is not known yet. */
    private static final class Waiting {
        final long index;
        final ClientSession session; // null for a PLAIN command
        final long seq;
        final Waiting original; // a duplicate's: the waiting command whose answer it gets
        Object value;
        boolean rejected;
        int code;
        String message;
        CachedResult cached; // once answered (session commands)

        Waiting(long index, ClientSession session, long seq, Waiting original) {
            this.index = index;
            this.session = session;
            this.seq = seq;
            this.original = original;
        }
    }

    private final StreamingStateMachine delegate;
    private final SessionTable table;
    private final Function<Object, byte[]> encoder;
    private final ReentrantLock lock;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Map<Long, Waiting> forwarded = new HashMap<>();
    private ApplyProgress progress;
    private LogEntries batch;
    private int runStart;
    private int runCount;
    /** The last index handed to this wrapper, and the last handed on to the wrapped state machine. */
    private long handedThrough;
    private long lastForwarded;
    private long delegateApplied;
    private long reported;

    /**
     * @param delegate the wrapped state machine
     * @param table    the session table, shared with the wrapper's snapshots
     * @param encoder  turns a session command's result into the bytes cached and sent to its client
     * @param lock     the wrapper's lock
     */
    public StreamingSessionApplier(StreamingStateMachine delegate, SessionTable table, Function<Object, byte[]> encoder,
                                   ReentrantLock lock) {
        this.delegate = delegate;
        this.table = table;
        this.encoder = encoder;
        this.lock = lock;
    }

    /**
     * Takes the next committed envelopes (applier thread).
     *
     * @param commands the node's view of them
     * @param progress the node's progress
     */
    public void accept(LogEntries commands, ApplyProgress progress) {
        lock.lock();
        try {
            this.progress = progress;
            this.batch = commands;
            runCount = 0;
            int count = commands.count();
            for (int i = 0; i < count; i++) {
                long index = commands.firstIndex() + i;
                Bytes payload = commands.payloadAt(i);
                byte type = payload.length() == 0 ? 0 : payload.getByte(0);
                switch (type) {
                    case SessionCommands.PLAIN -> forward(i, null, 0);
                    case SessionCommands.REGISTER -> register(index, payload);
                    case SessionCommands.UNREGISTER -> unregister(index, payload);
                    case SessionCommands.COMMAND -> command(i, index, payload);
                    default -> refuse(index, SessionCommands.MALFORMED, "entry is not a session envelope (type "
                            + type + ", " + payload.length() + " bytes)");
                }
            }
            flushRun();
            handedThrough = Math.max(handedThrough, commands.firstIndex() + count - 1);
            this.batch = null;
            drain();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets what waits (after a restore: the node restores only when everything was reported). */
    public void reset() {
        lock.lock();
        try {
            waiting.clear();
            forwarded.clear();
        } finally {
            lock.unlock();
        }
    }

    private void register(long index, Bytes payload) {
        if (payload.length() != 9) {
            refuse(index, SessionCommands.MALFORMED, "REGISTER of " + payload.length() + " bytes");
            return;
        }
        flushRun();
        table.advance(payload.getLong(1));
        if (table.open(index)) {
            progress.result(index, java.nio.ByteBuffer.allocate(8).putLong(index).array());
        } else {
            progress.reject(index, SessionCommands.SESSIONS_FULL, "the session table is full (" + table.size()
                    + " sessions); retry once sessions expire or close");
        }
    }

    private void unregister(long index, Bytes payload) {
        if (payload.length() != 17) {
            refuse(index, SessionCommands.MALFORMED, "UNREGISTER of " + payload.length() + " bytes");
            return;
        }
        flushRun();
        table.advance(payload.getLong(9));
        table.close(payload.getLong(1));
        progress.result(index, null);
    }

    private void command(int offset, long index, Bytes payload) {
        if (payload.length() < SessionCommands.COMMAND_HEADER_BYTES) {
            refuse(index, SessionCommands.MALFORMED, "COMMAND of " + payload.length() + " bytes");
            return;
        }
        long clientId = payload.getLong(1);
        long seq = payload.getLong(9);
        long ackedBelow = payload.getLong(17);
        table.advance(payload.getLong(25));
        ClientSession session = table.touch(clientId);
        if (session == null) {
            refuse(index, SessionCommands.SESSION_EXPIRED, "session " + clientId
                    + " is not open (expired, closed or never opened): the command may have taken effect before");
            return;
        }
        session.acknowledge(Math.min(ackedBelow, seq));
        CachedResult cached = session.results.get(seq);
        if (cached == CachedResult.PENDING) {
            flushRun(); // the wrapped state machine may answer the first copy right here
            cached = session.results.get(seq);
        }
        if (cached == CachedResult.PENDING) {
            waiting.addLast(new Waiting(index, session, seq, waitingCommand(session, seq)));
        } else if (cached != null) {
            flushRun();
            replay(index, cached);
        } else if (seq < session.ackedBelow) {
            refuse(index, SessionCommands.STALE_SEQUENCE, "sequence " + seq + " of session " + clientId
                    + " was acknowledged by its client and its result dropped: it took effect once");
        } else if (session.results.size() >= table.maxResultsPerSession()) {
            refuse(index, SessionCommands.TOO_MANY_IN_FLIGHT, "session " + clientId + " holds "
                    + session.results.size() + " unacknowledged results (the most it keeps)");
        } else {
            session.results.put(seq, CachedResult.PENDING);
            forward(offset, session, seq);
        }
    }

    /** The waiting fresh command of {@code session} and {@code seq} (its answer is PENDING, so it waits). */
    private Waiting waitingCommand(ClientSession session, long seq) {
        var newestFirst = waiting.descendingIterator();
        while (newestFirst.hasNext()) {
            Waiting candidate = newestFirst.next();
            if (candidate.original == null && candidate.session == session && candidate.seq == seq) {
                return candidate;
            }
        }
        throw new IllegalStateException("sequence " + seq + " of session " + session.clientId
                + " is pending but not waiting: a bug in the session wrapper");
    }

    /** Answers an entry the wrapper refuses itself. */
    private void refuse(long index, int code, String message) {
        flushRun();
        progress.reject(index, code, message);
    }

    private void replay(long index, CachedResult cached) {
        if (cached.rejected()) {
            progress.reject(index, cached.code(), cached.message());
        } else {
            progress.result(index, cached.result());
        }
    }

    private void forward(int offset, ClientSession session, long seq) {
        if (runCount > 0 && runStart + runCount != offset) {
            flushRun();
        }
        if (runCount == 0) {
            runStart = offset;
        }
        runCount++;
        long index = batch.firstIndex() + offset;
        Waiting entry = new Waiting(index, session, seq, null);
        waiting.addLast(entry);
        forwarded.put(index, entry);
    }

    /** Hands the run of fresh commands to the wrapped state machine, in a view of its own (it may keep it). */
    private void flushRun() {
        if (runCount == 0) {
            return;
        }
        CommandRun run = new CommandRun();
        run.reset(batch);
        for (int k = 0; k < runCount; k++) {
            run.add(runStart + k);
        }
        lastForwarded = batch.firstIndex() + runStart + runCount - 1;
        runCount = 0;
        delegate.accept(run, this);
    }

    @Override
    public void result(long index, Object value) {
        lock.lock();
        try {
            Waiting entry = handedOn(index);
            entry.value = value;
            entry.rejected = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reject(long index, int code, String message) {
        lock.lock();
        try {
            Waiting entry = handedOn(index);
            entry.value = null;
            entry.rejected = true;
            entry.code = code;
            entry.message = message;
        } finally {
            lock.unlock();
        }
    }

    private Waiting handedOn(long index) {
        Waiting entry = forwarded.get(index);
        if (entry == null || index <= delegateApplied) {
            throw new IllegalArgumentException("index " + index + " was not handed to the state machine, or its "
                    + "progress passed it already");
        }
        return entry;
    }

    @Override
    public void applied(long index) {
        lock.lock();
        try {
            if (index <= delegateApplied) {
                return;
            }
            if (index > lastForwarded) {
                throw new IllegalArgumentException("applied(" + index + ") lies beyond the last command handed over ("
                        + lastForwarded + ")");
            }
            delegateApplied = index;
            drain();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void fail(Throwable cause) {
        ApplyProgress node = progress;
        if (node != null) {
            node.fail(cause);
        }
    }

    /** Answers the waiting entries whose answers are known, oldest first, and tells the node how far it got. */
    private void drain() {
        if (progress == null) {
            return;
        }
        while (!waiting.isEmpty()) {
            Waiting entry = waiting.peekFirst();
            if (entry.original == null) {
                if (entry.index > delegateApplied) {
                    break;
                }
                forwarded.remove(entry.index);
                if (!answer(entry)) {
                    return; // the node is stopping
                }
            } else {
                replay(entry.index, entry.original.cached); // the original came first, and is answered
            }
            waiting.pollFirst();
        }
        long through = waiting.isEmpty() ? handedThrough : waiting.peekFirst().index - 1;
        if (through > reported) {
            reported = through;
            progress.applied(through);
        }
    }

    /** Caches and reports a fresh command's answer; false if its result cannot be encoded (node failed). */
    private boolean answer(Waiting entry) {
        if (entry.rejected) {
            entry.cached = new CachedResult(null, true, entry.code, entry.message);
            if (entry.session != null) {
                entry.session.results.replace(entry.seq, CachedResult.PENDING, entry.cached);
            }
            progress.reject(entry.index, entry.code, entry.message);
            return true;
        }
        if (entry.session == null) {
            progress.result(entry.index, entry.value); // PLAIN: answered as it is
            return true;
        }
        byte[] bytes;
        try {
            bytes = encoder.apply(entry.value);
        } catch (RuntimeException e) {
            progress.fail(e);
            return false;
        }
        entry.cached = new CachedResult(bytes, false, 0, null);
        entry.session.results.replace(entry.seq, CachedResult.PENDING, entry.cached);
        progress.result(entry.index, bytes);
        return true;
    }
}
