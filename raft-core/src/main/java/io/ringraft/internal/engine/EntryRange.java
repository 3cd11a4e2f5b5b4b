package io.ringraft.internal.engine;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;

/**
 * The entries of a leader's AppendEntries as the engine names them: {@code count} entries from
 * {@code firstIndex} of this node's log. The engine does not hold payloads: whoever sends the message
 * reads the entries from the log (after carrying out the appends produced before the send) and sends
 * those. Reading entries through this view is a programming error.
 */
public record EntryRange(long firstIndex, int count) implements LogEntries {

    public EntryRange {
        if (firstIndex < 1 || count < 0) {
            throw new IllegalArgumentException("entry range " + firstIndex + "+" + count);
        }
    }

    @Override
    public long termAt(int offset) {
        throw unread();
    }

    @Override
    public EntryKind kindAt(int offset) {
        throw unread();
    }

    @Override
    public Bytes payloadAt(int offset) {
        throw unread();
    }

    private IllegalStateException unread() {
        return new IllegalStateException("entries " + firstIndex + "+" + count
                + " are named, not held: read them from the log before sending");
    }
}
