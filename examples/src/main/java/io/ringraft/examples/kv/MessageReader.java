package io.ringraft.examples.kv;

import io.ringraft.api.Bytes;

/**
 * Reads a {@link KvCodec} message from a payload or query view (big-endian, as {@link Bytes} reads),
 * checking every length against the message's end: a malformed message throws
 * {@link IllegalArgumentException} and never reads out of bounds.
 */
final class MessageReader {

    private final Bytes buffer;
    private final int end;
    private int position;

    MessageReader(Bytes buffer) {
        this.buffer = buffer;
        this.position = 0;
        this.end = buffer.length();
    }

    byte readByte() {
        need(1);
        return buffer.getByte(position++);
    }

    int readCount() {
        int count = readInt();
        if (count < 0 || count > (end - position) / 4) {
            throw new IllegalArgumentException("bad count " + count);
        }
        return count;
    }

    long readLong() {
        need(8);
        long value = buffer.getLong(position);
        position += 8;
        return value;
    }

    byte[] readString() {
        int length = readInt();
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
        need(length);
        byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes, 0, length);
        position += length;
        return bytes;
    }

    /** Throws unless the whole message was read. */
    void expectEnd() {
        if (position != end) {
            throw new IllegalArgumentException((end - position) + " trailing bytes");
        }
    }

    private int readInt() {
        need(4);
        int value = buffer.getInt(position);
        position += 4;
        return value;
    }

    private void need(int bytes) {
        if (bytes > end - position) {
            throw new IllegalArgumentException("truncated message");
        }
    }
}
