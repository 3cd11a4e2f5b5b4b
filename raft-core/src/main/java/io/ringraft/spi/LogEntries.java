package io.ringraft.spi;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;

/**
 * A read-only view of consecutive log entries, {@code firstIndex() .. firstIndex() + count() - 1}.
 *
 * <p>Implementations are views, not copies: over slots of the runtime's ring, over a decoded network
 * frame, or over entries read from storage. Offsets are 0-based within the view. The engine reads only
 * terms and kinds; payloads are read by the log writer, transports and the state machine.
 *
 * <p>A view is valid until its producer says otherwise (the end of the call it was passed to, unless
 * documented differently); a consumer that keeps entries copies them. Not thread-safe.
 *
 * <p><b>Views another thread may recycle.</b> An AppendEntries handed to
 * {@link RaftTransport#send} may carry a view straight over the ring's slots, which the node's core
 * thread may reclaim and reuse while the transport copies them (the leader only reclaims entries
 * that are applied, so this is rare). Such a view reports it through {@link #stillValid()}: a
 * transport that copies or encodes the entries calls it <em>after</em> copying the bytes and before
 * the copy leaves its hands; if it returns false the copy may mix entries, so the transport discards
 * it and refuses the send (Raft resends).
 */
public interface LogEntries {

    /** {@return the index of the first entry (for an empty view: the index the first entry would have)} */
    long firstIndex();

    /** {@return the number of entries, {@code >= 0}} */
    int count();

    /**
     * {@return the term of the entry at {@code offset} ({@code 0 <= offset < count()})}
     *
     * @param offset the entry's position in this view, {@code 0 <= offset < count()}
     */
    long termAt(int offset);

    /**
     * {@return the kind of the entry at {@code offset}}
     *
     * @param offset the entry's position in this view, {@code 0 <= offset < count()}
     */
    EntryKind kindAt(int offset);

    /**
     * Payload of the entry at {@code offset}: a read-only view whose bytes {@code [0, length())} are
     * the payload. The returned view may be a flyweight that the next call to this method re-points,
     * so read it (or copy it) before asking for the next entry's.
     *
     * @param offset the entry's position in this view, {@code 0 <= offset < count()}
     * @return the payload, valid until the next call and at most as long as this view
     */
    Bytes payloadAt(int offset);

    /**
     * Whether everything read from this view so far is what it held when it was handed out; call it
     * after copying the entries, before using the copy. A view whose memory nobody else can change
     * (the default) is always valid. Implementations make this check cheap (a version read per
     * entry) and never block.
     *
     * @return true if everything read so far is what the view held when it was handed out
     */
    default boolean stillValid() {
        return true;
    }

    /** {@return the index of the last entry, or {@code firstIndex() - 1} when empty} */
    default long lastIndex() {
        return firstIndex() + count() - 1;
    }

    /**
     * {@return the {@link LogId} of the entry at {@code offset}}
     *
     * @param offset the entry's position in this view, {@code 0 <= offset < count()}
     */
    default LogId logIdAt(int offset) {
        return new LogId(termAt(offset), firstIndex() + offset);
    }

    /**
     * {@return an empty view positioned at {@code firstIndex}}
     *
     * @param firstIndex the index the first entry would have
     */
    static LogEntries empty(long firstIndex) {
        return new EmptyLogEntries(firstIndex);
    }
}
