package io.ringraft.internal.client;

import io.ringraft.api.Bytes;
import java.util.Objects;

/**
 * A view of an entry's payload after its session envelope: bytes {@code [skip, length)} of another
 * view. A flyweight re-pointed for every entry; applier thread only.
 */
final class PayloadSlice implements Bytes {

    private Bytes source;
    private int skip;

    PayloadSlice of(Bytes source, int skip) {
        this.source = source;
        this.skip = skip;
        return this;
    }

    @Override
    public int length() {
        return source.length() - skip;
    }

    @Override
    public byte getByte(int index) {
        Objects.checkIndex(index, length());
        return source.getByte(skip + index);
    }

    @Override
    public void getBytes(int index, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(index, length, length());
        source.getBytes(skip + index, dst, dstOffset, length);
    }
}
