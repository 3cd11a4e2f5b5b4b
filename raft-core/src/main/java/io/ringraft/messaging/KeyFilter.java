package io.ringraft.messaging;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which committed commands a {@link KeyedSubscription} receives: every command ({@link #any()}), or those
 * carrying at least one of some keys ({@link #of}). Immutable, any thread.
 */
public final class KeyFilter {

    private final Set<ByteBuffer> keys;

    private KeyFilter(Set<ByteBuffer> keys) {
        this.keys = keys;
    }

    /**
     * Every user command, with keys or without.
     *
     * @return the filter
     */
    public static KeyFilter any() {
        return new KeyFilter(null);
    }

    /**
     * Commands that carry at least one of {@code keys} (compared byte by byte).
     *
     * @param keys the keys (copied)
     * @return the filter
     */
    public static KeyFilter of(byte[]... keys) {
        Set<ByteBuffer> set = new HashSet<>();
        for (byte[] key : keys) {
            set.add(ByteBuffer.wrap(key.clone()));
        }
        return new KeyFilter(Set.copyOf(set));
    }

    /**
     * Whether a command with {@code commandKeys} passes.
     *
     * @param commandKeys the command's keys
     * @return true if it passes
     */
    public boolean matches(List<byte[]> commandKeys) {
        if (keys == null) {
            return true;
        }
        for (byte[] key : commandKeys) {
            if (keys.contains(ByteBuffer.wrap(key))) {
                return true;
            }
        }
        return false;
    }
}
