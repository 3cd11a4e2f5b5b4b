package io.ringraft.internal.runtime;

import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import org.agrona.DirectBuffer;

/**
 * The entries of an outgoing AppendEntries as the core's engine chose them: only a range. The peer's
 * replicator replaces it with the entries themselves, read from the ring (or storage) on its own
 * thread, so the core never copies payloads. Reading terms or payloads from the range itself is a
 * bug and throws.
 */
record RingRange(long firstIndex, int count) implements LogEntries {

    @Override
    public long termAt(int offset) {
        throw unmaterialized();
    }

    @Override
    public EntryKind kindAt(int offset) {
        throw unmaterialized();
    }

    @Override
    public DirectBuffer payloadAt(int offset) {
        throw unmaterialized();
    }

    private static IllegalStateException unmaterialized() {
        return new IllegalStateException("a ring range must be materialized by its replicator first");
    }
}
