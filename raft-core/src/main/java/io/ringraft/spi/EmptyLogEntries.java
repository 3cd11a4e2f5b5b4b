package io.ringraft.spi;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;

/** The empty {@link LogEntries} view returned by {@link LogEntries#empty(long)}. */
record EmptyLogEntries(long firstIndex) implements LogEntries {

    EmptyLogEntries {
        if (firstIndex < 1) {
            throw new IllegalArgumentException("log indexes start at 1, got firstIndex=" + firstIndex);
        }
    }

    @Override
    public int count() {
        return 0;
    }

    @Override
    public long termAt(int offset) {
        throw new IndexOutOfBoundsException("empty entries, offset " + offset);
    }

    @Override
    public EntryKind kindAt(int offset) {
        throw new IndexOutOfBoundsException("empty entries, offset " + offset);
    }

    @Override
    public Bytes payloadAt(int offset) {
        throw new IndexOutOfBoundsException("empty entries, offset " + offset);
    }
}
