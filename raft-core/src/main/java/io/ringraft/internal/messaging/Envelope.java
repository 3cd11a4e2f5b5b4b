package io.ringraft.internal.messaging;

import io.ringraft.messaging.InboundMessage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoding of a messaging group's log entries. Every entry starts with a one-byte tag:
 * <pre>
 *   USER    [0] command...                                      a user command
 *   DELIVER [1] source:8 count:4 (seq:8 keyLen:4 key payloadLen:4 payload)*   messages from a source group
 *   ACK     [2] target:8 upTo:8                                 the target applied up to upTo: trim the outbox
 *   KEYED   [3] keyCount:2 (keyLen:2 key)* command...           a user command with keys for subscribers
 * </pre>
 * Big-endian. Pure functions, any thread.
 */
public final class Envelope {

    static final byte USER = 0;
    static final byte DELIVER = 1;
    static final byte ACK = 2;
    static final byte KEYED = 3;
    /** Most keys on one command, and most bytes of one key. */
    public static final int MAX_KEYS = 1024;
    public static final int MAX_KEY_BYTES = 65_535;
    /** Bytes a DELIVER entry takes before its messages. */
    static final int DELIVER_HEADER = 1 + 8 + 4;

    private Envelope() {
    }

    /**
     * Whether {@code entry} is a DELIVER entry that decodes (a batch of messages from a source group), the
     * only kind another process may hand to this group's leader (the client protocol's DELIVER request).
     */
    public static boolean isDelivery(byte[] entry) {
        if (entry.length < DELIVER_HEADER || entry[0] != DELIVER) {
            return false;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(entry, 1, entry.length - 1);
            readDeliver(in);
            return !in.hasRemaining();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A user command wrapped as a USER entry. */
    public static byte[] user(byte[] command, int offset, int length) {
        byte[] out = new byte[1 + length];
        out[0] = USER;
        System.arraycopy(command, offset, out, 1, length);
        return out;
    }

    /**
     * A user command with keys, as a KEYED entry.
     *
     * @throws IllegalArgumentException if there are more than {@link #MAX_KEYS} keys or a key is longer than
     *                                  {@link #MAX_KEY_BYTES}
     */
    public static byte[] keyed(java.util.List<byte[]> keys, byte[] command) {
        if (keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException(keys.size() + " keys, at most " + MAX_KEYS);
        }
        int size = 1 + 2 + command.length;
        for (byte[] key : keys) {
            if (key.length > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("a key of " + key.length + " bytes, at most " + MAX_KEY_BYTES);
            }
            size += 2 + key.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(KEYED).putShort((short) keys.size());
        for (byte[] key : keys) {
            out.putShort((short) key.length).put(key);
        }
        return out.put(command).array();
    }

    /**
     * A user command's keys and bytes, as a subscriber reads them from a log entry's payload: a KEYED entry's
     * keys, no keys for a USER entry; null for an entry that is no user command (a delivery, an
     * acknowledgement, or no envelope at all).
     */
    public static Keyed readCommand(byte[] entry) {
        if (entry.length == 0) {
            return null;
        }
        if (entry[0] == USER) {
            return new Keyed(java.util.List.of(), 1, entry);
        }
        if (entry[0] != KEYED) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(entry, 1, entry.length - 1);
            int count = in.getShort() & 0xffff;
            java.util.List<byte[]> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[in.getShort() & 0xffff];
                in.get(key);
                keys.add(key);
            }
            return new Keyed(keys, in.position(), entry);
        } catch (BufferUnderflowException e) {
            return null;
        }
    }

    /** A user command: its keys, and where its bytes start in the entry. */
    public record Keyed(java.util.List<byte[]> keys, int commandOffset, byte[] entry) {
        /** The command's bytes (a copy). */
        public byte[] command() {
            return java.util.Arrays.copyOfRange(entry, commandOffset, entry.length);
        }
    }

    /** Bytes one message takes in a DELIVER entry. */
    static int messageBytes(int keyLength, int payloadLength) {
        return 8 + 4 + keyLength + 4 + payloadLength;
    }

    /** A DELIVER entry carrying {@code messages} (in sequence order) from {@code source}. */
    static byte[] deliver(long source, List<OutboxState.Pending> messages) {
        int size = DELIVER_HEADER;
        for (OutboxState.Pending m : messages) {
            size += messageBytes(m.key().length, m.payload().length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(DELIVER).putLong(source).putInt(messages.size());
        for (OutboxState.Pending m : messages) {
            out.putLong(m.sequence()).putInt(m.key().length).put(m.key()).putInt(m.payload().length).put(m.payload());
        }
        return out.array();
    }

    /** An ACK entry: {@code target} applied every message up to sequence {@code upTo}. */
    static byte[] ack(long target, long upTo) {
        return ByteBuffer.allocate(17).put(ACK).putLong(target).putLong(upTo).array();
    }

    /** The messages of a DELIVER entry (its tag already read from {@code in}). */
    static List<InboundMessage> readDeliver(ByteBuffer in) {
        try {
            long source = in.getLong();
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / 16) {
                throw new IllegalArgumentException("DELIVER entry claims " + count + " messages in " + in.remaining()
                        + " bytes");
            }
            List<InboundMessage> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long sequence = in.getLong();
                byte[] key = readBlock(in);
                byte[] payload = readBlock(in);
                messages.add(new InboundMessage(source, sequence, key, payload));
            }
            return messages;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated DELIVER entry", e);
        }
    }

    private static byte[] readBlock(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("block of " + length + " bytes with " + in.remaining() + " left");
        }
        byte[] block = new byte[length];
        in.get(block);
        return block;
    }
}
