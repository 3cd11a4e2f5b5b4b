package io.ringraft.examples.kv;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The binary encoding of the KV store's commands (log entries) and queries (linearizable reads).
 *
 * <p>Every message starts with a one-byte opcode. Integers are big-endian. A <i>string</i> (a key
 * or a value, arbitrary bytes) is a {@code u32} length followed by that many bytes.
 *
 * <pre>
 * commands (proposed, applied by {@link KvStateMachine#apply}):
 *   SET     0x01 flags:u8 key value        flags: bit 0 = NX, bit 1 = XX
 *   DEL     0x02 count:u32 key*count
 *   INCRBY  0x03 key delta:i64             (INCR is INCRBY 1)
 *   MSET    0x04 count:u32 (key value)*count
 *   CAS     0x05 key expected new
 *   XFER    0x06 src dst amount:i64         (--groups only: src may live in another group than dst)
 * queries (answered by {@link KvStateMachine#query}):
 *   GET     0x10 key
 *   MGET    0x11 count:u32 key*count
 *   EXISTS  0x12 count:u32 key*count
 *   DBSIZE  0x13
 * </pre>
 *
 * <p>A message must be consumed exactly: trailing bytes make it malformed. Stateless and
 * thread-safe.
 */
public final class KvCodec {

    /** Opcode of {@code SET}. */
    public static final byte SET = 0x01;
    /** Opcode of {@code DEL}. */
    public static final byte DEL = 0x02;
    /** Opcode of {@code INCRBY}. */
    public static final byte INCRBY = 0x03;
    /** Opcode of {@code MSET}. */
    public static final byte MSET = 0x04;
    /** Opcode of {@code CAS}. */
    public static final byte CAS = 0x05;
    /** Opcode of {@code XFER}. */
    public static final byte XFER = 0x06;
    /** Opcode of the {@code GET} query. */
    public static final byte GET = 0x10;
    /** Opcode of the {@code MGET} query. */
    public static final byte MGET = 0x11;
    /** Opcode of the {@code EXISTS} query. */
    public static final byte EXISTS = 0x12;
    /** Opcode of the {@code DBSIZE} query. */
    public static final byte DBSIZE = 0x13;

    /** {@code SET} flag: only set a key that does not exist. */
    public static final int NX = 1;
    /** {@code SET} flag: only set a key that exists. */
    public static final int XX = 2;

    private KvCodec() {
    }

    /** {@code SET key value} with {@link #NX}, {@link #XX} or no flags (0). */
    public static byte[] set(byte[] key, byte[] value, int flags) {
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + key.length + value.length);
        b.put(SET).put((byte) flags);
        putString(b, key);
        putString(b, value);
        return b.array();
    }

    /** {@code DEL key...}. */
    public static byte[] del(List<byte[]> keys) {
        return keyList(DEL, keys);
    }

    /** {@code INCRBY key delta}. */
    public static byte[] incrBy(byte[] key, long delta) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + key.length + 8);
        b.put(INCRBY);
        putString(b, key);
        b.putLong(delta);
        return b.array();
    }

    /** {@code MSET key value [key value ...]}: {@code keysAndValues} alternates keys and values. */
    public static byte[] mset(List<byte[]> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException("MSET needs pairs of keys and values");
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + stringsSize(keysAndValues));
        b.put(MSET).putInt(keysAndValues.size() / 2);
        keysAndValues.forEach(s -> putString(b, s));
        return b.array();
    }

    /** {@code CAS key expected new}: sets {@code key} to {@code update} if it holds {@code expected}. */
    public static byte[] cas(byte[] key, byte[] expected, byte[] update) {
        ByteBuffer b = ByteBuffer.allocate(1 + 12 + key.length + expected.length + update.length);
        b.put(CAS);
        putString(b, key);
        putString(b, expected);
        putString(b, update);
        return b.array();
    }

    /** {@code XFER src dst amount}: moves {@code amount} from integer key {@code src} to integer key {@code dst}. */
    public static byte[] xfer(byte[] src, byte[] dst, long amount) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + src.length + dst.length + 8);
        b.put(XFER);
        putString(b, src);
        putString(b, dst);
        b.putLong(amount);
        return b.array();
    }

    /** The {@code GET key} query. */
    public static byte[] get(byte[] key) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + key.length);
        b.put(GET);
        putString(b, key);
        return b.array();
    }

    /** The {@code MGET key...} query. */
    public static byte[] mget(List<byte[]> keys) {
        return keyList(MGET, keys);
    }

    /** The {@code EXISTS key...} query. */
    public static byte[] exists(List<byte[]> keys) {
        return keyList(EXISTS, keys);
    }

    /** The {@code DBSIZE} query. */
    public static byte[] dbsize() {
        return new byte[] {DBSIZE};
    }

    private static byte[] keyList(byte op, List<byte[]> keys) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + stringsSize(keys));
        b.put(op).putInt(keys.size());
        keys.forEach(k -> putString(b, k));
        return b.array();
    }

    private static int stringsSize(List<byte[]> strings) {
        long size = 0;
        for (byte[] s : strings) {
            size += 4L + s.length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("command too large");
        }
        return (int) size;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putInt(s.length).put(s);
    }
}
