package io.ringraft.net.netty.internal.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A group's membership as one replica sees it, with the client addresses it advertises: the payload
 * of an INFO answer, and the balancing the group advertises. Layout: {@code voters:u16 id:i64*
 * learners:u16 id:i64* addresses:u16 (id:i64 length:u16 hostPort[utf-8])*}, then optionally (a node
 * that advertises none may stop here) {@code strategy:u8 (0 none, 1 + GroupBalancing.Strategy ordinal)
 * weights:u16 (id:i64 weight:i32)*}.
 *
 * @param voters    the voters' ids
 * @param learners  the learners' ids
 * @param addresses {@code host:port} of members the replica advertises
 * @param balancing the strategy and weights the group advertises, or null
 */
public record ClusterInfo(Set<Long> voters, Set<Long> learners, Map<Long, String> addresses,
                          GroupBalancing balancing) {

    /**
     * Info without an advertised balancing.
     *
     * @param voters    the voters' ids
     * @param learners  the learners' ids
     * @param addresses {@code host:port} of members the replica advertises
     */
    public ClusterInfo(Set<Long> voters, Set<Long> learners, Map<Long, String> addresses) {
        this(voters, learners, addresses, null);
    }

    /** Most members or addresses an INFO carries. */
    static final int MAX_MEMBERS = 1024;

    /** {@return the encoded bytes} */
    public byte[] encode() {
        ByteBuf out = Unpooled.buffer();
        writeIds(out, voters);
        writeIds(out, learners);
        out.writeShort(Math.min(addresses.size(), MAX_MEMBERS));
        int written = 0;
        for (Map.Entry<Long, String> entry : addresses.entrySet()) {
            if (written++ == MAX_MEMBERS) {
                break;
            }
            byte[] text = entry.getValue().getBytes(StandardCharsets.UTF_8);
            out.writeLong(entry.getKey());
            out.writeShort(text.length);
            out.writeBytes(text);
        }
        if (balancing == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1 + balancing.strategy().ordinal());
            out.writeShort(Math.min(balancing.weights().size(), MAX_MEMBERS));
            written = 0;
            for (Map.Entry<Long, Integer> entry : balancing.weights().entrySet()) {
                if (written++ == MAX_MEMBERS) {
                    break;
                }
                out.writeLong(entry.getKey());
                out.writeInt(entry.getValue());
            }
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /**
     * {@return the info {@code bytes} hold}
     *
     * @param bytes an INFO answer's payload
     * @throws MalformedFrameException if they are not one
     */
    public static ClusterInfo decode(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        Set<Long> voters = readIds(in);
        Set<Long> learners = readIds(in);
        WireFormat.require(in, 2, "INFO addresses");
        int count = in.readUnsignedShort();
        Map<Long, String> addresses = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            WireFormat.require(in, 10, "INFO address");
            long id = in.readLong();
            int length = in.readUnsignedShort();
            WireFormat.require(in, length, "INFO address text");
            addresses.put(id, in.readCharSequence(length, StandardCharsets.UTF_8).toString());
        }
        GroupBalancing balancing = in.isReadable() ? readBalancing(in) : null;
        WireFormat.requireFullyRead(in, "INFO");
        return new ClusterInfo(voters, learners, addresses, balancing);
    }

    private static GroupBalancing readBalancing(ByteBuf in) {
        int code = in.readUnsignedByte();
        if (code == 0) {
            return null;
        }
        GroupBalancing.Strategy[] strategies = GroupBalancing.Strategy.values();
        if (code > strategies.length) {
            throw new MalformedFrameException("INFO names balancing strategy " + code + ", not one of 1.." + strategies.length);
        }
        WireFormat.require(in, 2, "INFO weight count");
        int count = in.readUnsignedShort();
        WireFormat.require(in, count * 12, "INFO weights");
        Map<Long, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            weights.put(in.readLong(), in.readInt());
        }
        try {
            return new GroupBalancing(strategies[code - 1], weights);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("INFO weights: " + e.getMessage());
        }
    }

    private static void writeIds(ByteBuf out, Set<Long> ids) {
        out.writeShort(Math.min(ids.size(), MAX_MEMBERS));
        int written = 0;
        for (long id : ids) {
            if (written++ == MAX_MEMBERS) {
                break;
            }
            out.writeLong(id);
        }
    }

    private static Set<Long> readIds(ByteBuf in) {
        WireFormat.require(in, 2, "INFO member count");
        int count = in.readUnsignedShort();
        WireFormat.require(in, count * 8, "INFO members");
        Set<Long> ids = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(in.readLong());
        }
        return ids;
    }
}
