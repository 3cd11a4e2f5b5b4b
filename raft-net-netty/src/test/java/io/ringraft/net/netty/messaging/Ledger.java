package io.ringraft.net.netty.messaging;

import io.ringraft.api.Bytes;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A test state machine for messaging between processes. A 16-byte command {@code target:i64 amount:i64} emits
 * one message to group {@code target} carrying its ordinal per target (1, 2, 3, ...) and the amount; any other
 * command changes nothing (the subscription tests propose those). {@link #receive} checks for itself that the
 * messages of a source come exactly once and in order (the i-th must carry ordinal i: a repeat or a gap throws,
 * which stops the replica) and sums them. Counters readable from any thread.
 */
final class Ledger implements MessagingStateMachine {

    private volatile long sent;
    private volatile long received;
    private volatile long receivedAmount;
    /** Told the ordinal of each message received (a benchmark's clock), or null. */
    private volatile java.util.function.LongConsumer onReceived;

    static byte[] send(long target, long amount) {
        return ByteBuffer.allocate(16).putLong(target).putLong(amount).array();
    }

    @Override
    public Object apply(Bytes command, ApplyContext context) {
        if (command.length() != 16) {
            return 0L;
        }
        long target = command.getLong(0);
        byte[] payload = ByteBuffer.allocate(16).putLong(sent + 1).putLong(command.getLong(8)).array();
        if (!context.emit(target, new byte[8], payload)) {
            context.reject(7, "outbox full");
            return null;
        }
        sent++;
        return 1L;
    }

    @Override
    public void receive(InboundMessage message, ApplyContext context) {
        ByteBuffer payload = ByteBuffer.wrap(message.payload());
        long ordinal = payload.getLong();
        if (ordinal != received + 1 || message.sequence() != ordinal) {
            throw new AssertionError("message " + ordinal + " (sequence " + message.sequence() + ") after " + received);
        }
        receivedAmount += payload.getLong();
        received++;
        java.util.function.LongConsumer listener = onReceived;
        if (listener != null) {
            listener.accept(ordinal);
        }
    }

    /** Tells {@code listener} (on the applier thread) the ordinal of every message received from now on. */
    void onReceived(java.util.function.LongConsumer listener) {
        this.onReceived = listener;
    }

    long sent() {
        return sent;
    }

    long received() {
        return received;
    }

    long receivedAmount() {
        return receivedAmount;
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        long s = sent;
        long r = received;
        long a = receivedAmount;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(s);
            data.writeLong(r);
            data.writeLong(a);
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        sent = data.readLong();
        received = data.readLong();
        receivedAmount = data.readLong();
    }
}
