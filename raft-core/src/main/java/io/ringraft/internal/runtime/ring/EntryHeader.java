package io.ringraft.internal.runtime.ring;

import io.ringraft.api.EntryKind;

/** The fixed fields of one entry read out of the {@link EntryRing}: a reusable holder, not thread-safe. */
public final class EntryHeader {
    long index;
    long term;
    byte kind;
    public byte origin;
    public long correlation;
    /** Set by {@link EntryRing#readHeader}: the slot's version when read, and where the payload lies. */
    long version;
    /** The array holding the payload (the ring's arena, or a proposal queue's array) and where in it. */
    byte[] array;
    int arenaOffset;
    int length;

    void set(long index, long term, byte kind, byte origin, long correlation) {
        this.index = index;
        this.term = term;
        this.kind = kind;
        this.origin = origin;
        this.correlation = correlation;
    }

    EntryKind kind() {
        return EntryKind.fromCode(kind);
    }
}
