package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.ringraft.spi.LogEntries;

/** Test access to the received-entries view of this package. */
public final class WireEntriesProbe {

    private WireEntriesProbe() {
    }

    /** True if {@code entries} is a view over a received frame (what the decoder hands out). */
    public static boolean isWire(LogEntries entries) {
        return entries instanceof WireLogEntries;
    }

    /** The network buffer slice that {@code entries} (a {@link #isWire} view) reads. */
    public static ByteBuf buffer(LogEntries entries) {
        return ((WireLogEntries) entries).buffer();
    }

    /** True once {@code entries} (a {@link #isWire} view) was released. */
    public static boolean isReleased(LogEntries entries) {
        return ((WireLogEntries) entries).isReleased();
    }
}
