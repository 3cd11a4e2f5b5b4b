package io.ringraft.internal.messaging;

import io.ringraft.api.Bytes;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.messaging.OutboxStatus;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code StateMachine} of a messaging group: unwraps each entry's {@link Envelope} and applies it.
 * A USER entry goes to the application's {@link MessagingStateMachine#apply}; a DELIVER entry's messages
 * go to {@link MessagingStateMachine#receive}, each exactly once (a sequence at or below the source's
 * last applied one is a duplicate and dropped; one above the next is a gap and waits for a resend), and
 * its result is the source's last applied sequence (the acknowledgement the sender reads); an ACK entry
 * trims the outbox. Called on the applier thread only.
 *
 * <p>Inbound messages are always applied, whatever the outbox holds: refusing them while the outbox is full
 * would deadlock two groups whose full outboxes hold messages to each other. {@code receive}'s emissions are
 * bounded by the capacity like any other ({@code emit} returns false at it). Commands (USER and KEYED
 * entries) stop at the lower high-water mark: {@code MessagingGroup} refuses them before proposing, and this
 * machine refuses, deterministically, every command it applies while the outbox is at or above the mark
 * (code {@link #ABOVE_HIGH_WATER_MARK}, nothing changed), whichever way it entered the log (a raw
 * {@code RaftNode.propose} or {@code forward} of an envelope, a command admitted just before the mark was
 * reached). The room between the mark and the capacity is left to replies and to commands that emit
 * several messages. An entry that is no envelope (raw bytes proposed past {@code MessagingGroup}) is
 * refused with code {@link #MALFORMED}, never applied.
 */
public final class MessagingMachine implements StateMachine {

    /** Rejection code of an entry that is not a messaging envelope. */
    public static final int MALFORMED = -15;
    /** Rejection code of a command applied while the outbox is at or above its high-water mark. */
    public static final int ABOVE_HIGH_WATER_MARK = -16;

    private final long groupId;
    private final MessagingStateMachine application;
    private final OutboxSettings settings;
    private final LongSupplier nanoClock;
    private final OutboxState state;
    private final Context context = new Context();
    /** Wakes the delivery loop when this replica's outbox gains messages; any thread may read it. */
    private volatile Runnable onEmit = () -> { };

    /**
     * A wrapper for group {@code groupId}'s application state machine.
     *
     * @param nanoClock this replica's clock, for message ages only (never for replicated decisions)
     */
    public MessagingMachine(long groupId, MessagingStateMachine application, OutboxSettings settings,
                            LongSupplier nanoClock) {
        this.groupId = groupId;
        this.application = application;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.state = new OutboxState(settings.capacity());
    }

    OutboxState state() {
        return state;
    }

    long groupId() {
        return groupId;
    }

    OutboxSettings settings() {
        return settings;
    }

    void onEmit(Runnable wake) {
        this.onEmit = wake;
    }

    /** Whether new proposals are refused now: the outbox is at or above its high-water mark. */
    public boolean refusing() {
        return state.depth() >= settings.highWaterMark();
    }

    /**
     * This replica's outbox status.
     *
     * @return the status now
     */
    public OutboxStatus status() {
        return state.status(nanoClock.getAsLong(), refusing());
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        int before = state.depth();
        for (int i = 0; i < entries.count(); i++) {
            long index = entries.firstIndex() + i;
            Bytes payload = entries.payloadAt(i);
            if (payload.length() == 0) {
                results.reject(i, MALFORMED, "empty entry in a messaging group");
                continue;
            }
            byte[] bytes = payload.toByteArray();
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte tag = in.get();
            switch (tag) {
                case Envelope.USER -> applyUser(index, Bytes.wrap(bytes, 1, bytes.length - 1), i, results);
                case Envelope.KEYED -> {
                    Envelope.Keyed keyed = Envelope.readCommand(bytes);
                    if (keyed == null) {
                        results.reject(i, MALFORMED, "truncated KEYED entry");
                        continue;
                    }
                    applyUser(index, Bytes.wrap(bytes, keyed.commandOffset(), bytes.length - keyed.commandOffset()), i,
                            results);
                }
                case Envelope.DELIVER -> {
                    List<InboundMessage> messages;
                    try {
                        messages = Envelope.readDeliver(in);
                    } catch (IllegalArgumentException e) {
                        results.reject(i, MALFORMED, e.getMessage());
                        continue;
                    }
                    results.set(i, applyDeliver(index, messages));
                }
                case Envelope.ACK -> {
                    if (in.remaining() != 16) {
                        results.reject(i, MALFORMED, "ACK entry of " + bytes.length + " bytes");
                        continue;
                    }
                    state.acknowledge(in.getLong(), in.getLong());
                }
                default -> results.reject(i, MALFORMED, "unknown messaging envelope tag " + tag);
            }
        }
        if (state.depth() > before) {
            onEmit.run();
        }
    }

    private void applyUser(long index, Bytes command, int offset, ApplyResults results) {
        int depth = state.depth();
        if (depth >= settings.highWaterMark()) { // replicated state: every replica refuses it alike
            results.reject(offset, ABOVE_HIGH_WATER_MARK, "the outbox of group " + groupId + " holds " + depth
                    + " undelivered messages, at or above its high-water mark " + settings.highWaterMark()
                    + "; retry once delivery catches up");
            return;
        }
        context.begin(index, true);
        state.beginCommand();
        Object result;
        try {
            result = application.apply(command, context);
        } finally {
            if (context.rejected) {
                state.takeBackCommand(); // a refused command emits nothing, even what it emitted before refusing
            }
            state.endCommand();
            context.end();
        }
        if (context.rejected) {
            results.reject(offset, context.rejectCode, context.rejectMessage);
        } else {
            results.set(offset, result);
        }
    }

    /** Applies the messages in order that are next for their source; returns the source's last applied. */
    private Long applyDeliver(long index, List<InboundMessage> messages) {
        long source = messages.isEmpty() ? 0 : messages.get(0).sourceGroup();
        long last = state.lastApplied(source);
        for (InboundMessage message : messages) {
            if (message.sequence() <= last) {
                continue; // a duplicate: applied before
            }
            if (message.sequence() != last + 1) {
                break; // a gap: the sender resends from last + 1
            }
            context.begin(index, false);
            application.receive(message, context);
            context.end();
            last = message.sequence();
            state.applied(source, last);
        }
        return last;
    }

    @Override
    public Object query(Bytes query) {
        return application.query(query);
    }

    @Override
    public Snapshot snapshot() {
        byte[] mine = state.encode();
        Snapshot theirs = application.snapshot();
        return out -> {
            out.write(mine);
            theirs.writeTo(new NonClosing(out));
        };
    }

    @Override
    public void restore(InputStream data) throws IOException {
        DataInputStream in = new DataInputStream(data);
        state.decode(in, nanoClock.getAsLong());
        application.restore(data);
    }

    /** The one context, reused for every call (applier thread only). */
    private final class Context implements ApplyContext {
        long index;
        boolean command;
        boolean active;
        boolean rejected;
        int rejectCode;
        String rejectMessage;

        void begin(long index, boolean command) {
            this.index = index;
            this.command = command;
            this.active = true;
            this.rejected = false;
            this.rejectMessage = null;
        }

        void end() {
            active = false;
        }

        @Override
        public long index() {
            checkActive();
            return index;
        }

        @Override
        public boolean emit(long targetGroup, byte[] key, byte[] payload) {
            checkActive();
            if (targetGroup == groupId) {
                throw new IllegalArgumentException("group " + groupId + " cannot send a message to itself");
            }
            int size = Envelope.DELIVER_HEADER + Envelope.messageBytes(key.length, payload.length);
            if (size > settings.maxBatchBytes()) {
                throw new IllegalArgumentException("a message of " + (key.length + payload.length)
                        + " key and payload bytes does not fit one delivery of at most " + settings.maxBatchBytes()
                        + " bytes (OutboxSettings.maxBatchBytes)");
            }
            return state.emit(targetGroup, key.clone(), payload.clone(), index, nanoClock.getAsLong());
        }

        @Override
        public void reject(int code, String message) {
            checkActive();
            if (!command) {
                throw new IllegalStateException("an inbound message cannot be refused");
            }
            rejected = true;
            rejectCode = code;
            rejectMessage = message;
        }

        private void checkActive() {
            if (!active) {
                throw new IllegalStateException("the apply context is only valid during apply or receive");
            }
        }
    }

    /** The snapshot stream as the application sees it: closing it does not close the store's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
