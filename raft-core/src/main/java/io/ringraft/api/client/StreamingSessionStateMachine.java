package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import io.ringraft.internal.client.SessionTable;
import io.ringraft.internal.client.StreamingSessionApplier;
import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * {@link SessionStateMachine}'s exactly-once client sessions for a {@link StreamingStateMachine}, one
 * that applies commands as a stream and reports its progress later: give the wrapper to
 * {@code RaftNode.Builder.streamingStateMachine} (or a {@code RaftHost} group) and to the
 * {@code ClientServer}. The envelopes ({@link SessionCommands}), the session table, its bounds, its expiry
 * by log time and its place in snapshots are those of {@link SessionStateMachine}; a snapshot of either
 * wrapper restores into the other (with the same wrapped state).
 *
 * <p><b>What changes with a stream.</b> Session bookkeeping happens as the node hands the entries over,
 * in log order, so every replica decides alike which copy of a command is fresh. Fresh commands go to the
 * wrapped state machine in runs of consecutive entries without their envelopes (a run is a view of its
 * own, readable until the wrapped state machine reports it applied). A fresh command's answer is cached
 * in its session when the wrapped state machine reports it applied (with
 * {@link ApplyProgress#result} or {@link ApplyProgress#reject} before); a duplicate that arrives while
 * the first copy is still being applied gets the same answer once that copy is reported. The node hears
 * "applied" up to just before the oldest command whose answer is not known yet: no proposer or client
 * sees an answer before its command took effect, and snapshots (taken only when every command handed
 * over is reported) hold no half-applied session.
 *
 * <p><b>Threads.</b> The node calls {@link #accept} on its applier thread; the wrapped state machine
 * reports from any thread. Accept, reports, queries, snapshot and restore hold one lock (the wrapped
 * state machine may report from inside its own {@code accept}). {@link #localQuery} may be called from
 * any thread.
 */
public final class StreamingSessionStateMachine implements StreamingStateMachine, SessionWrapper {

    private final StreamingStateMachine delegate;
    private final ReentrantLock lock = new ReentrantLock();
    private final SessionTable table;
    private final StreamingSessionApplier applier;
    private final Function<Object, byte[]> encoder;

    private StreamingSessionStateMachine(Builder builder) {
        this.delegate = builder.delegate;
        this.table = builder.sessions.newTable();
        this.encoder = builder.sessions.encoder;
        this.applier = new StreamingSessionApplier(delegate, table, this::encodeResult, lock);
    }

    /**
     * {@return a builder wrapping {@code delegate}}
     *
     * @param delegate the application's streaming state machine
     */
    public static Builder wrap(StreamingStateMachine delegate) {
        return new Builder(Objects.requireNonNull(delegate, "delegate"));
    }

    @Override
    public void accept(LogEntries commands, ApplyProgress progress) {
        applier.accept(commands, progress);
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

    @Override
    public Object localQuery(Bytes query) {
        return query(query);
    }

    @Override
    public byte[] encodeResult(Object result) {
        return SessionSettings.encode(encoder, result, "StreamingSessionStateMachine");
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
    public StateMachine.Snapshot snapshot() {
        lock.lock();
        try {
            SessionTable sessions = table.copy();
            StateMachine.Snapshot data = delegate.snapshot();
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
            applier.reset();
        } finally {
            lock.unlock();
        }
    }

    /** Configures a {@link StreamingSessionStateMachine}; the settings are {@link SessionStateMachine.Builder}'s. Not thread-safe. */
    public static final class Builder {
        private final StreamingStateMachine delegate;
        private final SessionSettings sessions = new SessionSettings();

        private Builder(StreamingStateMachine delegate) {
            this.delegate = delegate;
        }

        /**
         * As {@link SessionStateMachine.Builder#maxSessions}.
         *
         * @param maxSessions at least 1
         * @return this builder
         */
        public Builder maxSessions(int maxSessions) {
            sessions.maxSessions(maxSessions);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#maxResultsPerSession}.
         *
         * @param maxResults at least 1
         * @return this builder
         */
        public Builder maxResultsPerSession(int maxResults) {
            sessions.maxResultsPerSession(maxResults);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#sessionTimeout}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder sessionTimeout(java.time.Duration timeout) {
            sessions.sessionTimeout(timeout);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#resultEncoder}: applied to a session command's result when
         * the wrapped state machine reports it applied (an exception stops the node), and to query results.
         *
         * @param encoder result to bytes
         * @return this builder
         */
        public Builder resultEncoder(Function<Object, byte[]> encoder) {
            sessions.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /** {@return the wrapper} */
        public StreamingSessionStateMachine build() {
            return new StreamingSessionStateMachine(this);
        }
    }
}
