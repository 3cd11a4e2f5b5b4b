package io.ringraft.internal.client;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.client.SessionCommands;
import io.ringraft.spi.LogEntries;

/**
 * Consecutive entries of a batch that go to the wrapped state machine, shown without their session
 * envelopes: entries {@code [start, start + count)} of the batch. Reused for every run; applier thread only.
 */
final class CommandRun implements LogEntries {

    private final PayloadSlice slice = new PayloadSlice();
    private LogEntries batch;
    private int start;
    private int count;

    void reset(LogEntries batch) {
        this.batch = batch;
        this.start = 0;
        this.count = 0;
    }

    /** Adds the batch's entry at {@code offset}, which must follow the run's last one (or start an empty run). */
    void add(int offset) {
        if (count == 0) {
            start = offset;
        }
        count++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int start() {
        return start;
    }

    void clear() {
        count = 0;
    }

    @Override
    public long firstIndex() {
        return batch.firstIndex() + start;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public long termAt(int offset) {
        return batch.termAt(start + java.util.Objects.checkIndex(offset, count));
    }

    @Override
    public EntryKind kindAt(int offset) {
        return batch.kindAt(start + java.util.Objects.checkIndex(offset, count));
    }

    @Override
    public Bytes payloadAt(int offset) {
        Bytes payload = batch.payloadAt(start + java.util.Objects.checkIndex(offset, count));
        int skip = payload.getByte(0) == SessionCommands.PLAIN
                ? SessionCommands.PLAIN_HEADER_BYTES : SessionCommands.COMMAND_HEADER_BYTES;
        return slice.of(payload, skip);
    }

    @Override
    public boolean stillValid() {
        return batch.stillValid();
    }
}
