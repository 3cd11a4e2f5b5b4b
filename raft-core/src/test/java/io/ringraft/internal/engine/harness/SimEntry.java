package io.ringraft.internal.engine.harness;

import io.ringraft.api.EntryKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry as the harness stores it: term, kind and an owned copy of the payload. Equality
 * compares the payload bytes, so two nodes' entries are "the same" only if their content is.
 */
public record SimEntry(long term, EntryKind kind, byte[] payload) {

    private static final byte[] EMPTY = new byte[0];

    public SimEntry {
        Objects.requireNonNull(kind, "kind");
        payload = payload == null ? EMPTY : payload.clone();
    }

    static SimEntry noop(long term) {
        return new SimEntry(term, EntryKind.NOOP, EMPTY);
    }

    static SimEntry command(long term, String payload) {
        return new SimEntry(term, EntryKind.COMMAND, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload copy (entries are immutable; callers must not modify it). */
    @Override
    public byte[] payload() {
        return payload;
    }

    /** The payload as text (the harness proposes UTF-8 strings). */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimEntry e && term == e.term && kind == e.kind && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(term) * 31 * 31 + kind.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "T" + term + (kind == EntryKind.NOOP ? ":noop" : ":" + text());
    }
}
