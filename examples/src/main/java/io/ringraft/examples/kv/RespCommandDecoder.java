package io.ringraft.examples.kv;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the commands a Redis client sends (RESP2 requests) straight into argument arrays: an
 * array of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) or an inline command ({@code GET k\r\n}).
 * Each command goes up the pipeline as a {@code List<byte[]>}; malformed input goes up once as a
 * {@link ProtocolError}, after which the rest of the connection's input is discarded (the handler
 * answers the error and closes).
 *
 * <p><b>Why not Netty's Redis codec.</b> Netty's {@code RedisDecoder} with its bulk-string and array
 * aggregators decodes a request into a header, a content message per bulk string, composite buffers
 * and an array message, each reference counted: under a flood of 1 KiB writes the three handlers took
 * about half of the leader's CPU (JFR profile in docs/benchmarks.md, "Overload"). A request is only
 * ever an array of bulk strings, so this decoder checks the whole command is buffered (reading only
 * its headers), then copies each argument once.
 *
 * <p><b>Bounds.</b> A bulk string longer than {@code maxBulkBytes}, more than {@code maxArguments}
 * arguments, an inline command longer than {@link #MAX_INLINE_BYTES} or a header line longer than
 * {@link #MAX_HEADER_BYTES} is a protocol error as soon as its header is seen, before its body is
 * buffered. So a connection holds at most one command's bytes plus one socket read.
 *
 * <p>One instance per connection, on its event loop (Netty's decoder contract).
 */
final class RespCommandDecoder extends ByteToMessageDecoder {

    /** Longest inline command (as Redis: 64 KiB). */
    static final int MAX_INLINE_BYTES = 64 * 1024;
    /** Longest {@code *n} or {@code $n} line, CRLF included. */
    static final int MAX_HEADER_BYTES = 24;

    /** Malformed input: the reason, for the {@code -ERR Protocol error} answer. */
    record ProtocolError(String reason) {
    }

    private final int maxBulkBytes;
    private final int maxArguments;
    private boolean failed;

    /**
     * @param maxBulkBytes largest argument a client may send
     * @param maxArguments most arguments in one command
     */
    RespCommandDecoder(int maxBulkBytes, int maxArguments) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxArguments = maxArguments;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            int start = in.readerIndex();
            Object command;
            try {
                command = in.getByte(start) == '*' ? array(in) : inline(in);
            } catch (MalformedException e) {
                failed = true;
                out.add(new ProtocolError(e.getMessage()));
                break;
            }
            if (command == null) {
                in.readerIndex(start); // not all buffered yet: wait for more
                return;
            }
            out.add(command);
        }
        if (failed) {
            in.skipBytes(in.readableBytes()); // nothing after a malformed command runs
        }
    }

    /** An array command, or null (reader index anywhere) if it is not all buffered yet. */
    private List<byte[]> array(ByteBuf in) throws MalformedException {
        in.skipBytes(1);
        long count = header(in, "multibulk");
        if (count == NOT_YET) {
            return null;
        }
        if (count < 1 || count > maxArguments) {
            throw new MalformedException("invalid multibulk length " + count);
        }
        // First pass: is the whole command here? Reads headers only, skips the bodies.
        int bodies = in.readerIndex();
        for (long i = 0; i < count; i++) {
            long length = bulkHeader(in);
            if (length == NOT_YET) {
                return null;
            }
            if (in.readableBytes() < length + 2) {
                return null;
            }
            in.skipBytes((int) length);
            if (in.readByte() != '\r' || in.readByte() != '\n') {
                throw new MalformedException("bulk string not followed by CRLF");
            }
        }
        // Second pass: copy each argument once.
        in.readerIndex(bodies);
        List<byte[]> args = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int length = (int) bulkHeader(in);
            byte[] arg = new byte[length];
            in.readBytes(arg);
            in.skipBytes(2);
            args.add(arg);
        }
        return args;
    }

    /** A bulk string's length ({@code $n\r\n}), or {@link #NOT_YET}. */
    private long bulkHeader(ByteBuf in) throws MalformedException {
        if (!in.isReadable()) {
            return NOT_YET;
        }
        byte type = in.readByte();
        if (type != '$') {
            throw new MalformedException("expected '$', got '" + printable(type) + "'");
        }
        long length = header(in, "bulk");
        if (length == NOT_YET) {
            return NOT_YET;
        }
        if (length < 0 || length > maxBulkBytes) {
            throw new MalformedException(length < 0 ? "invalid bulk length " + length
                    : "bulk string of " + length + " bytes exceeds " + maxBulkBytes);
        }
        return length;
    }

    private static final long NOT_YET = Long.MIN_VALUE;

    /** The decimal number up to CRLF after the type byte, or {@link #NOT_YET} if the line is not all here. */
    private static long header(ByteBuf in, String what) throws MalformedException {
        int end = in.indexOf(in.readerIndex(), in.readerIndex() + Math.min(in.readableBytes(), MAX_HEADER_BYTES),
                (byte) '\r');
        if (end < 0) {
            if (in.readableBytes() >= MAX_HEADER_BYTES) {
                throw new MalformedException("invalid " + what + " length: header too long");
            }
            return NOT_YET;
        }
        if (end + 1 >= in.writerIndex()) {
            return NOT_YET; // the LF is not here yet
        }
        if (in.getByte(end + 1) != '\n') {
            throw new MalformedException("invalid " + what + " length: CR not followed by LF");
        }
        int from = in.readerIndex();
        boolean negative = from < end && in.getByte(from) == '-';
        int digitsFrom = negative ? from + 1 : from;
        if (digitsFrom == end) {
            throw new MalformedException("invalid " + what + " length: no digits");
        }
        long value = 0;
        for (int i = digitsFrom; i < end; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new MalformedException("invalid " + what + " length: '" + printable(b) + "'");
            }
            value = value * 10 + (b - '0');
        }
        in.readerIndex(end + 2);
        return negative ? -value : value;
    }

    /** An inline command (words split on whitespace; an empty line is an empty list), or null if not all here. */
    private static List<byte[]> inline(ByteBuf in) throws MalformedException {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (end < 0) {
            if (in.readableBytes() > MAX_INLINE_BYTES) {
                throw new MalformedException("too big inline request");
            }
            return null;
        }
        int length = end - in.readerIndex();
        if (length > MAX_INLINE_BYTES) {
            throw new MalformedException("too big inline request");
        }
        String line = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
        in.skipBytes(1);
        List<byte[]> args = new ArrayList<>();
        for (String word : line.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                args.add(word.getBytes(StandardCharsets.UTF_8));
            }
        }
        return args;
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    /** Malformed input (checked, so every path that meets it must say what it does). */
    private static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }
}
