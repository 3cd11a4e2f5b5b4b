package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import io.ringraft.internal.client.SessionApplier;
import io.ringraft.internal.client.SessionTable;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wraps the application's {@link StateMachine} with client sessions, for exactly-once writes: every
 * command is a {@link SessionCommands} envelope; a session command is applied once per (client id,
 * sequence) however often it is proposed, and its duplicates get the first answer (result or
 * rejection). Give the wrapper to {@code RaftNode.Builder.stateMachine} (or a {@code RaftHost} group)
 * instead of the application's state machine; the client protocol's server side ({@code ClientServer}
 * in raft-net-netty) needs it to serve {@code RaftClient}s.
 *
 * <p><b>Sessions.</b> A session is opened by a {@link SessionCommands#REGISTER} entry, whose index is
 * the client id (unique forever). Its state is replicated: the table changes only through applied
 * entries, so every replica holds the same table. It expires when it has been idle for
 * {@link Builder#sessionTimeout} in <em>log time</em>: the largest leader time stamped into any
 * applied entry, never a replica's own clock, so replicas expire the same sessions at the same entry.
 * (Leaders' clocks should agree within a fraction of the timeout: a leader whose clock runs ahead
 * ages sessions early.) A command of an expired session is rejected with
 * {@link SessionCommands#SESSION_EXPIRED}: it may have taken effect under the old session.
 *
 * <p><b>Bounded.</b> At most {@link Builder#maxSessions} sessions: when the table is full (after
 * expiring idle sessions) a new register is rejected with {@link SessionCommands#SESSIONS_FULL} and
 * nothing changes; open sessions keep their guarantee. Each session keeps at most
 * {@link Builder#maxResultsPerSession} answers the client has not acknowledged (each command carries
 * "every sequence below N has its answer"); a command beyond is rejected with
 * {@link SessionCommands#TOO_MANY_IN_FLIGHT}, unapplied. The memory is thus at most
 * {@code maxSessions x maxResultsPerSession x} the largest result.
 *
 * <p><b>Results.</b> The wrapped state machine must answer session commands with a {@code byte[]} or
 * null (cached and sent to clients as bytes), or the wrapper needs a {@link Builder#resultEncoder};
 * anything else stops the node (fail-stop, as a bug).
 * {@link SessionCommands#PLAIN} commands are applied every time and may answer anything.
 *
 * <p><b>Snapshots.</b> The session table goes into every snapshot, ahead of the wrapped state
 * machine's own data, and comes back with it: a restored replica still deduplicates.
 *
 * <p><b>Threads.</b> The node calls it on its applier thread. {@link #localQuery} may be called from any
 * thread: apply, snapshot, restore and queries hold one lock, so the wrapped state machine is never
 * called concurrently.
 */
public final class SessionStateMachine implements StateMachine, SessionWrapper {

    private final StateMachine delegate;
    private final ReentrantLock lock = new ReentrantLock();
    private final SessionTable table;
    private final SessionApplier applier;
    private final java.util.function.Function<Object, byte[]> encoder;

    private SessionStateMachine(Builder builder) {
        this.delegate = builder.delegate;
        this.table = builder.sessions.newTable();
        this.encoder = builder.sessions.encoder;
        this.applier = new SessionApplier(delegate, table, this::encodeResult);
    }

    /**
     * The bytes a client gets for a result of the wrapped state machine: what
     * {@link Builder#resultEncoder} makes of it (by default a {@code byte[]} or null as it is). The
     * client server calls it for query results; the wrapper for session commands' results. Any thread.
     *
     * @param result a result of the wrapped state machine's {@code apply} or {@code query}
     * @return its bytes, or null
     * @throws IllegalStateException if there is no encoder and {@code result} is not a {@code byte[]}
     */
    @Override
    public byte[] encodeResult(Object result) {
        return SessionSettings.encode(encoder, result, "SessionStateMachine");
    }

    /**
     * {@return a builder wrapping {@code delegate}}
     *
     * @param delegate the application's state machine
     */
    public static Builder wrap(StateMachine delegate) {
        return new Builder(Objects.requireNonNull(delegate, "delegate"));
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        lock.lock();
        try {
            applier.apply(entries, results);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Object query(Bytes query) {
        lock.lock();
        try {
            return delegate.query(query);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Answers {@code query} from the state applied so far on this replica, without asking the leader:
     * the read behind the client's {@code ANY} and bounded-staleness consistency. Any thread; waits for
     * a running apply batch to end.
     *
     * @param query the query, handed to the wrapped state machine's {@link StateMachine#query}
     * @return its answer
     */
    @Override
    public Object localQuery(Bytes query) {
        return query(query);
    }

    @Override
    public int sessionCount() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Snapshot snapshot() {
        lock.lock();
        try {
            SessionTable sessions = table.copy();
            Snapshot data = delegate.snapshot();
            return out -> {
                DataOutputStream stream = new DataOutputStream(out);
                sessions.writeTo(stream);
                stream.flush();
                data.writeTo(out);
            };
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void restore(InputStream data) throws IOException {
        lock.lock();
        try {
            table.readFrom(new DataInputStream(data));
            delegate.restore(data);
        } finally {
            lock.unlock();
        }
    }

    /** Configures a {@link SessionStateMachine}. Not thread-safe. */
    public static final class Builder {
        private final StateMachine delegate;
        private final SessionSettings sessions = new SessionSettings();

        private Builder(StateMachine delegate) {
            this.delegate = delegate;
        }

        /**
         * Most sessions open at once (default 10,000); a register beyond is rejected with
         * {@link SessionCommands#SESSIONS_FULL}. Must be the same on every replica.
         *
         * @param maxSessions at least 1
         * @return this builder
         */
        public Builder maxSessions(int maxSessions) {
            sessions.maxSessions(maxSessions);
            return this;
        }

        /**
         * Most answers a session keeps that its client has not acknowledged (default 128): at least the
         * client's most requests in flight. Must be the same on every replica.
         *
         * @param maxResults at least 1
         * @return this builder
         */
        public Builder maxResultsPerSession(int maxResults) {
            sessions.maxResultsPerSession(maxResults);
            return this;
        }

        /**
         * How long a session may stay idle, in log time, before it expires (default 60 s). Must be the
         * same on every replica.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder sessionTimeout(java.time.Duration timeout) {
            sessions.sessionTimeout(timeout);
            return this;
        }

        /**
         * Turns the wrapped state machine's results into the bytes clients get (default: none, results
         * must be {@code byte[]} or null). Applied to a session command's result before it is cached, and
         * to query results the client server sends. Must be deterministic; an exception it throws for a
         * session command stops the node (fail-stop, as a bug).
         *
         * @param encoder result to bytes
         * @return this builder
         */
        public Builder resultEncoder(java.util.function.Function<Object, byte[]> encoder) {
            sessions.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /** {@return the wrapper} */
        public SessionStateMachine build() {
            return new SessionStateMachine(this);
        }
    }
}
