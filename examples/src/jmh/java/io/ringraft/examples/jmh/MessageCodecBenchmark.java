package io.ringraft.examples.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.spi.LogEntries;
import io.ringraft.net.netty.internal.codec.MessageCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link MessageCodec}: one op encodes an AppendEntries into a pooled direct buffer (as a channel
 * does), decodes the frame back into a message (as the receiving side does) and releases the
 * buffer. Two messages: 64 entries of 100 B, and a heartbeat (no entries). No socket, no framing
 * (the length prefix is the pipeline's job).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MessageCodecBenchmark {

    private static final long GROUP = 1;
    private static final int MAX_FRAME_BYTES = 4 << 20; // NettyTransport's default

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private AppendEntriesRequest append64x100;
    private AppendEntriesRequest heartbeat;

    @Setup
    public void setup() {
        long prev = 1000;
        HeapLogEntries.Builder entries = HeapLogEntries.builder(prev + 1);
        for (int i = 0; i < 64; i++) {
            byte[] payload = new byte[100];
            payload[0] = (byte) i;
            entries.add(7, EntryKind.COMMAND, payload);
        }
        append64x100 = new AppendEntriesRequest(1, 2, 7, new LogId(7, prev), entries.build(), prev);
        heartbeat = new AppendEntriesRequest(1, 2, 7, new LogId(7, prev), LogEntries.empty(prev + 1), prev);
    }

    private int roundTrip(AppendEntriesRequest message) {
        ByteBuf frame = MessageCodec.encode(alloc, GROUP, message, MAX_FRAME_BYTES);
        try {
            RaftMessage decoded = MessageCodec.decode(frame).message();
            int entries = ((AppendEntriesRequest) decoded).entries().count();
            // As a node does once it handled the message: the decoded entries hold a retained slice of
            // the frame (no copy), which goes back to the pool here.
            Releasable.release(decoded);
            return entries;
        } finally {
            frame.release();
        }
    }

    @Benchmark
    public int append64x100B() {
        return roundTrip(append64x100);
    }

    @Benchmark
    public int heartbeat() {
        return roundTrip(heartbeat);
    }
}
