package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import io.ringraft.api.RaftNode;
import io.ringraft.internal.client.CommandSessions;
import io.ringraft.internal.client.SessionTable;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * {@link SessionStateMachine}'s exactly-once client sessions for a messaging group's application
 * ({@link MessagingStateMachine}): the two envelopes compose, the messaging envelope outside (it carries
 * the outbox and the deduplication of messages) and the session envelope inside (it carries the
 * client's session). Build the group with it, {@code MessagingGroup.create(id, sessions, settings)}, and
 * serve clients with {@link #servedBy}: the client server then proposes session commands through the
 * group ({@link MessagingGroup#propose}: in the messaging envelope, refused while the outbox is at its
 * high-water mark). Every command proposed to the group must carry a {@link SessionCommands} envelope
 * inside the messaging one ({@link SessionCommands#plain} for commands outside sessions). Messages from
 * other groups ({@link #receive}) bypass the sessions: the messaging layer applies each exactly once.
 *
 * <p>The session table's rules, bounds, expiry by log time and snapshot layout are
 * {@link SessionStateMachine}'s; the table goes ahead of the application's data in the application's
 * part of the group's snapshots. A command the application refuses ({@link ApplyContext#reject}) is
 * cached as refused, like any answer.
 *
 * <p><b>Threads.</b> The messaging layer calls it on the group's applier thread; {@code localQuery} and
 * {@link #sessionCount} may be called from any thread: apply, receive, query, snapshot and restore hold
 * one lock.
 */
public final class SessionMessagingStateMachine implements MessagingStateMachine {

    /** The application's view of the group's context: its own refusals are recorded by the sessions. */
    private static final class InnerContext implements ApplyContext {
        ApplyContext outer;
        CommandSessions.Refusal refusal;

        @Override
        public long index() {
            return outer.index();
        }

        @Override
        public boolean emit(long targetGroup, byte[] key, byte[] payload) {
            return outer.emit(targetGroup, key, payload);
        }

        @Override
        public void reject(int code, String message) {
            refusal.reject(code, message);
        }
    }

    private final MessagingStateMachine delegate;
    private final ReentrantLock lock = new ReentrantLock();
    private final SessionTable table;
    private final CommandSessions sessions;
    private final Function<Object, byte[]> encoder;
    private final InnerContext inner = new InnerContext();
    private final CommandSessions.Inner application;

    private SessionMessagingStateMachine(Builder builder) {
        this.delegate = builder.delegate;
        this.encoder = builder.settings.encoder;
        this.table = builder.settings.newTable();
        this.sessions = new CommandSessions(table, this::encodeResult);
        this.application = (command, refusal) -> {
            inner.refusal = refusal;
            return delegate.apply(command, inner);
        };
    }

    /**
     * {@return a builder wrapping {@code delegate}}
     *
     * @param delegate the application's messaging state machine
     */
    public static Builder wrap(MessagingStateMachine delegate) {
        return new Builder(Objects.requireNonNull(delegate, "delegate"));
    }

    @Override
    public Object apply(Bytes command, ApplyContext context) {
        lock.lock();
        try {
            inner.outer = context;
            return sessions.apply(context.index(), command, application, context::reject);
        } finally {
            inner.outer = null;
            lock.unlock();
        }
    }

    @Override
    public void receive(InboundMessage message, ApplyContext context) {
        lock.lock();
        try {
            delegate.receive(message, context);
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

    @Override
    public StateMachine.Snapshot snapshot() {
        lock.lock();
        try {
            SessionTable copy = table.copy();
            StateMachine.Snapshot data = delegate.snapshot();
            return out -> {
                DataOutputStream stream = new DataOutputStream(out);
                copy.writeTo(stream);
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

    /**
     * {@return the bytes a client gets for {@code result}, as {@link SessionStateMachine#encodeResult}}
     *
     * @param result a result of the application
     * @throws IllegalStateException if there is no encoder and {@code result} is not a {@code byte[]}
     */
    public byte[] encodeResult(Object result) {
        return SessionSettings.encode(encoder, result, "SessionMessagingStateMachine");
    }

    /** {@return how many sessions are open (any thread; a moment's value)} */
    public int sessionCount() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@return what the client server serves for {@code group}, the messaging group built with this
     * wrapper: local reads through this wrapper, session commands proposed through the group}
     *
     * @param group the messaging group whose application this wrapper is (attached to its node)
     */
    public SessionWrapper servedBy(MessagingGroup group) {
        Objects.requireNonNull(group, "group");
        return new SessionWrapper() {
            @Override
            public Object localQuery(Bytes query) {
                return query(query);
            }

            @Override
            public byte[] encodeResult(Object result) {
                return SessionMessagingStateMachine.this.encodeResult(result);
            }

            @Override
            public int sessionCount() {
                return SessionMessagingStateMachine.this.sessionCount();
            }

            @Override
            public CompletableFuture<Object> propose(RaftNode node, byte[] sessionEnvelope) {
                return group.propose(sessionEnvelope);
            }
        };
    }

    /** Configures a {@link SessionMessagingStateMachine}; the settings are {@link SessionStateMachine.Builder}'s. Not thread-safe. */
    public static final class Builder {
        private final MessagingStateMachine delegate;
        private final SessionSettings settings = new SessionSettings();

        private Builder(MessagingStateMachine delegate) {
            this.delegate = delegate;
        }

        /**
         * As {@link SessionStateMachine.Builder#maxSessions}.
         *
         * @param maxSessions at least 1
         * @return this builder
         */
        public Builder maxSessions(int maxSessions) {
            settings.maxSessions(maxSessions);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#maxResultsPerSession}.
         *
         * @param maxResults at least 1
         * @return this builder
         */
        public Builder maxResultsPerSession(int maxResults) {
            settings.maxResultsPerSession(maxResults);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#sessionTimeout}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder sessionTimeout(java.time.Duration timeout) {
            settings.sessionTimeout(timeout);
            return this;
        }

        /**
         * As {@link SessionStateMachine.Builder#resultEncoder}.
         *
         * @param encoder result to bytes
         * @return this builder
         */
        public Builder resultEncoder(Function<Object, byte[]> encoder) {
            settings.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /** {@return the wrapper} */
        public SessionMessagingStateMachine build() {
            return new SessionMessagingStateMachine(this);
        }
    }
}
