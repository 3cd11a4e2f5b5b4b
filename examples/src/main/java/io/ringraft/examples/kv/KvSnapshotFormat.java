package io.ringraft.examples.kv;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The binary encoding of a {@link KvStateMachine} snapshot. All integers are big-endian:
 *
 * <pre>
 * header   magic "RKVS" (4 bytes), format version (int32, 1), entry count (int32)
 * entries  count times: key length (int32), key bytes, value length (int32), value bytes
 * </pre>
 *
 * and nothing after the last entry. Entries are in no particular order (two nodes with the same state
 * may write different bytes; they read back as the same map). Reading checks everything it can: the
 * magic (a foreign stream), the version (a stream of a newer format), lengths, duplicate keys, a
 * stream that ends early or goes on after the last entry; each is an {@link IOException} saying what
 * is wrong. Lengths are not trusted for allocation: a large one is read in pieces, so a damaged
 * length costs at most the bytes really there.
 */
final class KvSnapshotFormat {

    /** "RKVS": RingRaft KV snapshot. */
    static final int MAGIC = 0x524B5653;
    static final int VERSION = 1;

    private static final int BUFFER_BYTES = 64 << 10;
    /** Strings up to this size are read into an array allocated at once; larger ones in pieces. */
    private static final int DIRECT_READ_BYTES = 64 << 10;

    private KvSnapshotFormat() {
    }

    /** Writes {@code entries} to {@code out} (flushed, not closed). */
    static void write(Map<String, byte[]> entries, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, BUFFER_BYTES));
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(entries.size());
        int written = 0;
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            byte[] key = entry.getKey().getBytes(StandardCharsets.ISO_8859_1);
            data.writeInt(key.length);
            data.write(key);
            data.writeInt(entry.getValue().length);
            data.write(entry.getValue());
            written++;
        }
        if (written != entries.size()) {
            throw new IOException("the map changed while its snapshot was written (" + written + " of "
                    + entries.size() + " entries)");
        }
        data.flush();
    }

    /** Where {@link #read(InputStream, Sink)} puts the entries it reads. */
    interface Sink {
        /**
         * Takes one entry.
         *
         * @return false if {@code key} was there already (the stream repeats it: damaged)
         */
        boolean put(String key, byte[] value);
    }

    /**
     * Reads a whole snapshot, to the end of {@code in} (not closed).
     *
     * @return the entries (a new map)
     * @throws IOException if the stream is not a KV snapshot of a known version or is damaged
     */
    static HashMap<String, byte[]> read(InputStream in) throws IOException {
        HashMap<String, byte[]> entries = new HashMap<>();
        read(in, (key, value) -> entries.put(key, value) == null, () -> { });
        return entries;
    }

    /**
     * Reads a whole snapshot, to the end of {@code in} (not closed), streaming its entries into
     * {@code sink} as they come: nothing holds them all but the sink. {@code headerRead} runs once the
     * header was checked, before the first entry (a restore drops the old state there: a foreign or
     * newer stream is refused before).
     *
     * @throws IOException if the stream is not a KV snapshot of a known version or is damaged (the sink
     *                     may then hold some of the entries)
     */
    static void read(InputStream in, Sink sink, Runnable headerRead) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        int magic = readHeaderInt(data, "magic");
        if (magic != MAGIC) {
            throw new IOException(String.format("not a KV snapshot: it starts with 0x%08x, expected 0x%08x (\"RKVS\")",
                    magic, MAGIC));
        }
        int version = readHeaderInt(data, "format version");
        if (version != VERSION) {
            throw new IOException("KV snapshot format version " + version + " is not supported (this build reads "
                    + "version " + VERSION + (version > VERSION ? "; written by a newer build?)" : ")"));
        }
        int count = readHeaderInt(data, "entry count");
        if (count < 0) {
            throw new IOException("corrupt KV snapshot: negative entry count " + count);
        }
        headerRead.run();
        for (int i = 0; i < count; i++) {
            String key = new String(readString(data, i, count, "key"), StandardCharsets.ISO_8859_1);
            byte[] value = readString(data, i, count, "value");
            if (!sink.put(key, value)) {
                throw new IOException("corrupt KV snapshot: entry " + i + " of " + count + " repeats key "
                        + printable(key));
            }
        }
        if (data.read() != -1) {
            throw new IOException("corrupt KV snapshot: data goes on after its " + count + " entries");
        }
    }

    private static int readHeaderInt(DataInputStream data, String field) throws IOException {
        try {
            return data.readInt();
        } catch (EOFException e) {
            throw new IOException("not a KV snapshot: the stream ends inside its header (" + field + ")", e);
        }
    }

    private static byte[] readString(DataInputStream data, int entry, int count, String what) throws IOException {
        int length;
        try {
            length = data.readInt();
        } catch (EOFException e) {
            throw truncated(entry, count, what + " length", e);
        }
        if (length < 0) {
            throw new IOException("corrupt KV snapshot: entry " + entry + " of " + count + " has a negative " + what
                    + " length " + length);
        }
        byte[] bytes;
        if (length <= DIRECT_READ_BYTES) {
            bytes = new byte[length];
            if (data.readNBytes(bytes, 0, length) != length) {
                throw truncated(entry, count, what + " of " + length + " bytes", null);
            }
        } else {
            bytes = data.readNBytes(length); // grows with what is really there
            if (bytes.length != length) {
                throw truncated(entry, count, what + " of " + length + " bytes", null);
            }
        }
        return bytes;
    }

    private static IOException truncated(int entry, int count, String what, EOFException cause) {
        return new IOException("corrupt KV snapshot: the stream ends in entry " + entry + " of " + count
                + " (its " + what + ")", cause);
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < Math.min(key.length(), 64); i++) {
            char c = key.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.append(key.length() > 64 ? "'..." : "'").toString();
    }
}
