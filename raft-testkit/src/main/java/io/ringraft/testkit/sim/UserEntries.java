package io.ringraft.testkit.sim;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import java.util.Objects;

/**
 * A view of {@code count} entries of a node's batch from offset {@code from}, with each command's
 * {@link CommandEnvelope} header hidden: what the user's state machine is handed. A view, not a copy,
 * so a node that reused a slot too early shows up as another command.
 */
final class UserEntries implements LogEntries {

    private final LogEntries entries;
    private final int from;
    private final int count;

    UserEntries(LogEntries entries, int from, int count) {
        this.entries = entries;
        this.from = from;
        this.count = count;
    }

    @Override
    public long firstIndex() {
        return entries.firstIndex() + from;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public long termAt(int offset) {
        return entries.termAt(checked(offset));
    }

    @Override
    public EntryKind kindAt(int offset) {
        return entries.kindAt(checked(offset));
    }

    @Override
    public Bytes payloadAt(int offset) {
        return new Payload(entries.payloadAt(checked(offset)));
    }

    @Override
    public boolean stillValid() {
        return entries.stillValid();
    }

    private int checked(int offset) {
        return from + Objects.checkIndex(offset, count);
    }

    /** A framed command's bytes after the header. */
    private static final class Payload implements Bytes {
        private final Bytes framed;

        Payload(Bytes framed) {
            this.framed = framed;
        }

        @Override
        public int length() {
            return framed.length() - CommandEnvelope.HEADER;
        }

        @Override
        public byte getByte(int index) {
            Objects.checkIndex(index, length());
            return framed.getByte(CommandEnvelope.HEADER + index);
        }

        @Override
        public void getBytes(int index, byte[] dst, int dstOffset, int length) {
            Objects.checkFromIndexSize(index, length, length());
            framed.getBytes(CommandEnvelope.HEADER + index, dst, dstOffset, length);
        }
    }
}
