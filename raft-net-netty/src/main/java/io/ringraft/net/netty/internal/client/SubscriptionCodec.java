package io.ringraft.net.netty.internal.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The remote subscription's encodings (docs/client.md), big-endian:
 *
 * <pre>
 * SUBSCRIBE spec     : fromIndex:i64 window:u16 credit:u16 maxBatchEntries:u16 maxBatchBytes:i32
 *                      keys:u16 (0xFFFF: every command) (length:u16 key)*
 * SUBSCRIPTION_BATCH : header(type 51, groupId) requestId:i64 fromIndex:i64 nextIndex:i64 count:i32
 *                      (index:i64 keys:u16 (length:u16 key)* length:i32 command)*
 * </pre>
 * Stateless; any thread.
 */
final class SubscriptionCodec {

    private static final int ANY_KEYS = 0xFFFF;

    private SubscriptionCodec() {
    }

    static byte[] encodeSpec(SubscriptionSpec spec) {
        List<byte[]> keys = spec.filter().keys();
        int size = 8 + 2 + 2 + 2 + 4 + 2;
        for (byte[] key : keys) {
            size += 2 + key.length;
        }
        ByteBuf out = Unpooled.buffer(size);
        out.writeLong(spec.fromIndex());
        out.writeShort(spec.window());
        out.writeShort(spec.credit());
        out.writeShort(spec.maxBatchEntries());
        out.writeInt(spec.maxBatchBytes());
        if (spec.filter().matchesEverything()) {
            out.writeShort(ANY_KEYS);
        } else {
            out.writeShort(keys.size());
            for (byte[] key : keys) {
                out.writeShort(key.length);
                out.writeBytes(key);
            }
        }
        return out.array();
    }

    /**
     * Decodes and checks a SUBSCRIBE request's spec.
     *
     * @throws MalformedFrameException if it does not decode or a bound is out of range
     */
    static SubscriptionSpec decodeSpec(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        WireFormat.require(in, 20, "SUBSCRIBE");
        long fromIndex = in.readLong();
        int window = in.readUnsignedShort();
        int credit = in.readUnsignedShort();
        int maxEntries = in.readUnsignedShort();
        int maxBytes = in.readInt();
        int count = in.readUnsignedShort();
        KeyFilter filter;
        if (count == ANY_KEYS) {
            filter = KeyFilter.any();
        } else {
            if (count > SubscriptionSpec.MAX_KEYS) {
                throw new MalformedFrameException("SUBSCRIBE with " + count + " keys, more than " + SubscriptionSpec.MAX_KEYS);
            }
            byte[][] keys = new byte[count][];
            for (int i = 0; i < count; i++) {
                WireFormat.require(in, 2, "SUBSCRIBE key length");
                int length = in.readUnsignedShort();
                WireFormat.require(in, length, "SUBSCRIBE key");
                keys[i] = new byte[length];
                in.readBytes(keys[i]);
            }
            filter = KeyFilter.of(keys);
        }
        WireFormat.requireFullyRead(in, "SUBSCRIBE");
        SubscriptionSpec spec = new SubscriptionSpec(fromIndex, window, credit, maxEntries, maxBytes, filter);
        String problem = spec.problem();
        if (problem != null) {
            throw new MalformedFrameException("SUBSCRIBE: " + problem);
        }
        return spec;
    }

    static ByteBuf encodeBatch(ByteBufAllocator alloc, SubscriptionBatch batch) {
        int size = WireFormat.HEADER_BYTES + 28;
        for (CommittedEntry entry : batch.entries()) {
            size += 8 + 2 + 4 + entry.command().length;
            for (byte[] key : entry.keys()) {
                size += 2 + key.length;
            }
        }
        ByteBuf out = alloc.buffer(size);
        WireFormat.writeHeader(out, WireFormat.VERSION, WireFormat.SUBSCRIPTION_BATCH, batch.groupId());
        out.writeLong(batch.requestId());
        out.writeLong(batch.fromIndex());
        out.writeLong(batch.nextIndex());
        out.writeInt(batch.entries().size());
        for (CommittedEntry entry : batch.entries()) {
            out.writeLong(entry.index());
            out.writeShort(entry.keys().size());
            for (byte[] key : entry.keys()) {
                out.writeShort(key.length);
                out.writeBytes(key);
            }
            out.writeInt(entry.command().length);
            out.writeBytes(entry.command());
        }
        return out;
    }

    /**
     * Decodes a SUBSCRIPTION_BATCH frame (its header included).
     *
     * @throws MalformedFrameException if it does not decode, or its indexes are not in order within its range
     */
    static SubscriptionBatch decodeBatch(ByteBuf frame) {
        long groupId = ClientCodec.header(frame, WireFormat.SUBSCRIPTION_BATCH);
        WireFormat.require(frame, 28, "SUBSCRIPTION_BATCH");
        long requestId = frame.readLong();
        long fromIndex = frame.readLong();
        long nextIndex = frame.readLong();
        int count = frame.readInt();
        if (count < 0 || count > frame.readableBytes() / 14 || fromIndex < 1 || nextIndex < fromIndex) {
            throw new MalformedFrameException("SUBSCRIPTION_BATCH of " + count + " entries from " + fromIndex + " to "
                    + nextIndex + " in " + frame.readableBytes() + " bytes");
        }
        List<CommittedEntry> entries = new ArrayList<>(count);
        long last = fromIndex - 1;
        for (int i = 0; i < count; i++) {
            WireFormat.require(frame, 10, "SUBSCRIPTION_BATCH entry");
            long index = frame.readLong();
            if (index <= last || index >= nextIndex) {
                throw new MalformedFrameException("entry " + index + " out of order in a batch of " + fromIndex + ".."
                        + (nextIndex - 1));
            }
            last = index;
            int keyCount = frame.readUnsignedShort();
            List<byte[]> keys = new ArrayList<>(keyCount);
            for (int k = 0; k < keyCount; k++) {
                WireFormat.require(frame, 2, "key length");
                int length = frame.readUnsignedShort();
                WireFormat.require(frame, length, "key");
                byte[] key = new byte[length];
                frame.readBytes(key);
                keys.add(key);
            }
            WireFormat.require(frame, 4, "command length");
            int length = frame.readInt();
            if (length < 0) {
                throw new MalformedFrameException("negative command length");
            }
            WireFormat.require(frame, length, "command");
            byte[] command = new byte[length];
            frame.readBytes(command);
            entries.add(new CommittedEntry(index, keys, command));
        }
        WireFormat.requireFullyRead(frame, "SUBSCRIPTION_BATCH");
        return new SubscriptionBatch(groupId, requestId, fromIndex, nextIndex, entries);
    }
}
