package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import org.agrona.DirectBuffer;

/** The first {@code count} entries of another view: used to cut an AppendEntries to what the ring can hold. */
record LogEntriesPrefix(LogEntries source, int count) implements LogEntries {

    LogEntriesPrefix {
        if (count < 0 || count > source.count()) {
            throw new IllegalArgumentException("prefix of " + count + " entries of " + source.count());
        }
    }

    @Override
    public long firstIndex() {
        return source.firstIndex();
    }

    @Override
    public long termAt(int offset) {
        return source.termAt(check(offset));
    }

    @Override
    public EntryKind kindAt(int offset) {
        return source.kindAt(check(offset));
    }

    @Override
    public DirectBuffer payloadAt(int offset) {
        return source.payloadAt(check(offset));
    }

    @Override
    public boolean stillValid() {
        return source.stillValid();
    }

    private int check(int offset) {
        if (offset < 0 || offset >= count) {
            throw new IndexOutOfBoundsException("offset " + offset + " of " + count);
        }
        return offset;
    }
}
