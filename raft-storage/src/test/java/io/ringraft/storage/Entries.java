package io.ringraft.storage;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import java.nio.ByteBuffer;

/** Test entries whose payload names its index and a tag, so that a read shows where it came from. */
final class Entries {

    private Entries() {
    }

    /** {@code count} COMMAND entries from {@code first}, all of {@code term}, {@code size}-byte payloads. */
    static HeapLogEntries of(long first, int count, long term, int size, int tag) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(term, EntryKind.COMMAND, payload(first + i, tag, size));
        }
        return builder.build();
    }

    /** A payload of at least 12 bytes: index, tag, then filler. */
    static byte[] payload(long index, int tag, int size) {
        ByteBuffer payload = ByteBuffer.allocate(Math.max(12, size));
        payload.putLong(index).putInt(tag);
        while (payload.hasRemaining()) {
            payload.put((byte) (index * 31 + tag));
        }
        return payload.array();
    }

    /** The tag of the payload at {@code offset} of {@code entries}, checking it names its own index. */
    static int tagAt(LogEntries entries, int offset) {
        HeapLogEntries copy = HeapLogEntries.copyOf(entries, offset, 1);
        ByteBuffer payload = ByteBuffer.wrap(copy.payloadBytes(0));
        long index = payload.getLong();
        if (index != entries.firstIndex() + offset) {
            throw new AssertionError("entry " + (entries.firstIndex() + offset) + " holds the payload of entry " + index);
        }
        return payload.getInt();
    }
}
