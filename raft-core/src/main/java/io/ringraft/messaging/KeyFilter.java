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
     * Whether this filter takes every command ({@link #any()}).
     *
     * @return true for {@link #any()}
     */
    public boolean matchesEverything() {
        return keys == null;
    }

    /**
     * The keys of a filter made by {@link #of} (copies, in no particular order); empty for {@link #any()}.
     * A remote subscription sends them to the replica that serves it.
     *
     * @return the keys
     */
    public List<byte[]> keys() {
        if (keys == null) {
            return List.of();
        }
        List<byte[]> copies = new java.util.ArrayList<>(keys.size());
        for (ByteBuffer key : keys) {
            byte[] copy = new byte[key.remaining()];
            key.duplicate().get(copy);
            copies.add(copy);
        }
        return copies;
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
