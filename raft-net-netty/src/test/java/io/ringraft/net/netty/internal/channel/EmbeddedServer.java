package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringraft.message.RaftMessage;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.MessageCodec;
import io.ringraft.net.netty.internal.codec.TestMessages;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An accepted connection's real pipeline on an {@link EmbeddedChannel} (no sockets, no threads):
 * bytes written in go through the frame decoder, handshake and dispatcher exactly as on a socket.
 */
final class EmbeddedServer {

    static final String CLUSTER = "test-cluster";
    static final long SELF = 1;
    static final long PEER = 2;
    static final long GROUP = 7;

    final TransportContext context;
    final EmbeddedChannel channel;
    /** What node {@link #SELF} accepted, detached from the network buffers ({@link TestMessages#detach}). */
    final List<RaftMessage> delivered = new CopyOnWriteArrayList<>();
    /** While it returns true for a message, node {@link #SELF}'s queue is "full". */
    volatile Predicate<RaftMessage> full = m -> false;

    EmbeddedServer() {
        this(settings(64 * 1024, 50_000_000L));
    }

    EmbeddedServer(TransportSettings settings) {
        context = new TransportContext(settings, null, null);
        context.addressBook.put(PEER, new PeerAddress("127.0.0.1", 9));
        context.router.register(GROUP, SELF, m -> {
            if (full.test(m)) {
                return false;
            }
            delivered.add(TestMessages.detach(m)); // accepted: released here, as a node does
            return true;
        });
        channel = new EmbeddedChannel();
        channel.freezeTime();
        Pipelines.initAccepted(channel, context);
    }

    static TransportSettings settings(int maxFrameBytes, long maxInboundPauseNanos) {
        return settings(maxFrameBytes, maxInboundPauseNanos, 1024);
    }

    static TransportSettings settings(int maxFrameBytes, long maxInboundPauseNanos, int maxHeldInboundFrames) {
        return new TransportSettings(CLUSTER, SELF, maxFrameBytes, 1000, 5000, 32 * 1024, 64 * 1024, 4096,
                maxInboundPauseNanos, 10_000_000_000L, 100_000_000L, 1_000_000_000L, maxHeldInboundFrames);
    }

    /** Sends a valid HELLO from {@link #PEER} and checks the HELLO_ACK. */
    EmbeddedServer handshake() {
        writeFrame(hello(CLUSTER, PEER, WireFormat.MIN_VERSION, WireFormat.MAX_VERSION));
        List<ByteBuf> answers = readFrames();
        if (answers.size() != 1 || HandshakeCodec.readHeader(answers.get(0)) != WireFormat.HELLO_ACK) {
            throw new AssertionError("expected HELLO_ACK, got " + answers);
        }
        answers.forEach(ByteBuf::release);
        return this;
    }

    static ByteBuf hello(String cluster, long nodeId, int min, int max) {
        return HandshakeCodec.encodeHello(ByteBufAllocator.DEFAULT, new HandshakeCodec.Hello(min, max, nodeId, cluster));
    }

    static ByteBuf frameOf(RaftMessage message) {
        return MessageCodec.encode(ByteBufAllocator.DEFAULT, GROUP, message, 64 * 1024);
    }

    /** Writes {@code frame} (released) with a correct length prefix. */
    void writeFrame(ByteBuf frame) {
        ByteBuf prefixed = Unpooled.buffer(4 + frame.readableBytes()).writeInt(frame.readableBytes()).writeBytes(frame);
        frame.release();
        writeBytes(prefixed);
    }

    /** Writes raw bytes (released by the pipeline). */
    void writeBytes(ByteBuf bytes) {
        if (channel.isOpen()) {
            channel.writeInbound(bytes);
        } else {
            bytes.release();
        }
    }

    /** The frames the server wrote (length prefixes removed), owned by the caller. */
    List<ByteBuf> readFrames() {
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            all.writeBytes(buf);
            buf.release();
        }
        List<ByteBuf> frames = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int length = all.readInt();
            frames.add(all.readRetainedSlice(length));
        }
        all.release();
        return frames;
    }

    InboundDispatcher dispatcher() {
        return channel.pipeline().get(InboundDispatcher.class);
    }
}
