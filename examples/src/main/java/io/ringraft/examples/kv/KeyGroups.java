package io.ringraft.examples.kv;

import java.util.List;
import java.util.zip.CRC32;

/**
 * Which Raft group holds a key when the KV store runs {@code --groups N} groups: clients can compute it
 * too, to send a command straight to the node that leads the key's group.
 *
 * <pre>
 * group(key) = (CRC32(hashed(key)) mod N) + 1          groups are numbered 1..N
 * </pre>
 *
 * <p>{@code CRC32} is the IEEE 802.3 CRC-32 of zlib, PNG, Ethernet and {@code java.util.zip.CRC32}
 * (polynomial {@code 0x04C11DB7}, reflected, initial value and final XOR {@code 0xFFFFFFFF}; the CRC of
 * {@code "123456789"} is {@code 0xCBF43926}), taken as an unsigned 32-bit number. {@code hashed(key)}
 * is the whole key, unless the key has a <i>hash tag</i> as in Redis Cluster: if it contains a
 * {@code '{'} and, after it, a {@code '}'} with at least one byte between them, only the bytes between
 * the first {@code '{'} and the first {@code '}'} after it are hashed. Keys with the same tag, such as
 * {@code {user1000}.name} and {@code {user1000}.mail}, are in the same group, so one multi-key command
 * ({@code MGET}, {@code MSET}, {@code DEL}, {@code EXISTS}) can name them all.
 *
 * <p>With one group every key is in group 1. The mapping depends on {@code N}: a data directory keeps
 * the {@code N} it was written with. Stateless and thread-safe.
 */
public final class KeyGroups {

    private KeyGroups() {
    }

    /**
     * The group of {@code key} among {@code groups} groups.
     *
     * @param key    the key's bytes
     * @param groups the number of groups, at least 1
     * @return the group, in {@code 1..groups}
     */
    public static int groupOf(byte[] key, int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("the number of groups must be at least 1, got " + groups);
        }
        if (groups == 1) {
            return 1;
        }
        int from = 0;
        int to = key.length;
        int open = indexOf(key, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(key, (byte) '}', open + 1);
            if (close > open + 1) {
                from = open + 1;
                to = close;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(key, from, to - from);
        return (int) (crc.getValue() % groups) + 1;
    }

    /**
     * The group all of {@code keys} are in, or 0 if they are in different groups.
     *
     * @param keys   at least one key
     * @param groups the number of groups
     * @return the common group, or 0
     */
    static int commonGroup(List<byte[]> keys, int groups) {
        int group = groupOf(keys.get(0), groups);
        for (int i = 1; i < keys.size(); i++) {
            if (groupOf(keys.get(i), groups) != group) {
                return 0;
            }
        }
        return group;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
