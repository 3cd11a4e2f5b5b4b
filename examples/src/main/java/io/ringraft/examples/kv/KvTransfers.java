package io.ringraft.examples.kv;

import io.ringraft.api.Bytes;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A KV group's state machine with {@code --groups} above 1: the {@link KvStateMachine} of the group, plus
 * {@code XFER src dst amount} between integer keys that may live in different groups, through the group's
 * outbox ({@code io.ringraft.messaging}).
 *
 * <p>{@code XFER} runs in {@code src}'s group: it replies {@code 1} once {@code src} is debited (a missing
 * key counts as 0), {@code 0} if its balance is below {@code amount} (nothing changes), and an error if
 * {@code src} holds no integer or {@code amount} is not positive. If {@code dst} is in the same group it is
 * credited at once; otherwise the credit is emitted to {@code dst}'s group, which applies it exactly once
 * ({@link #receive}). If the outbox is full the reply is {@code -TRYAGAIN} and nothing changes. A credit to a
 * {@code dst} that holds no integer (or would overflow) is not lost: it goes to the integer key
 * {@code xfer-undelivered:<dst>} instead. Called on the group's applier thread only; deterministic.
 */
final class KvTransfers implements MessagingStateMachine {

    static final KvError AMOUNT = new KvError("ERR amount must be a positive integer");
    static final KvError OUTBOX_FULL = new KvError("TRYAGAIN the outbox of this group is full; retry later");

    private final KvStateMachine kv = new KvStateMachine();
    private final int groupCount;

    KvTransfers(int groupCount) {
        this.groupCount = groupCount;
    }

    @Override
    public Object apply(Bytes command, ApplyContext context) {
        if (command.length() == 0 || command.getByte(0) != KvCodec.XFER) {
            return kv.execute(command);
        }
        try {
            MessageReader in = new MessageReader(command);
            in.readByte();
            byte[] src = in.readString();
            byte[] dst = in.readString();
            long amount = in.readLong();
            in.expectEnd();
            return transfer(src, dst, amount, context);
        } catch (IllegalArgumentException e) {
            return KvStateMachine.MALFORMED;
        }
    }

    private Object transfer(byte[] src, byte[] dst, long amount, ApplyContext context) {
        if (amount <= 0) {
            return AMOUNT;
        }
        String from = KvStateMachine.key(src);
        Long balance = integer(kv.value(from));
        if (balance == null) {
            return KvStateMachine.NOT_AN_INTEGER;
        }
        if (balance < amount) {
            return 0L;
        }
        int dstGroup = KeyGroups.groupOf(dst, groupCount);
        if (dstGroup != KeyGroups.groupOf(src, groupCount)) {
            if (!context.emit(dstGroup, dst, ByteBuffer.allocate(8).putLong(amount).array())) {
                return OUTBOX_FULL;
            }
        } else if (from.equals(KvStateMachine.key(dst))) {
            return 1L; // to itself: nothing moves
        } else {
            kv.put(from, ascii(balance - amount)); // debit first: dst may be src's neighbour, never src itself
            credit(KvStateMachine.key(dst), amount);
            return 1L;
        }
        kv.put(from, ascii(balance - amount));
        return 1L;
    }

    @Override
    public void receive(InboundMessage message, ApplyContext context) {
        credit(KvStateMachine.key(message.key()), ByteBuffer.wrap(message.payload()).getLong());
    }

    /** Adds {@code amount} to {@code key}, or to {@code xfer-undelivered:<key>} if {@code key} cannot take it. */
    private void credit(String key, long amount) {
        Long current = integer(kv.value(key));
        if (current != null && current <= Long.MAX_VALUE - amount) {
            kv.put(key, ascii(current + amount));
            return;
        }
        String aside = "xfer-undelivered:" + key;
        Long kept = integer(kv.value(aside));
        long base = kept == null ? 0 : kept;
        kv.put(aside, ascii(base > Long.MAX_VALUE - amount ? Long.MAX_VALUE : base + amount));
    }

    /** The integer a value holds (a missing value is 0), or null if it holds none. */
    private static Long integer(byte[] value) {
        return value == null ? Long.valueOf(0) : KvStateMachine.parseLong(value);
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Object query(Bytes query) {
        return kv.query(query);
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        return kv.snapshot();
    }

    @Override
    public void restore(InputStream data) throws IOException {
        kv.restore(data);
    }
}
