package io.ringraft.examples.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A RESP load generator that keeps going past errors (unlike {@code redis-benchmark}, which exits on
 * the first error reply) and counts every reply by kind, per target: {@code OK}, {@code TRYAGAIN},
 * {@code UNCERTAIN}, other errors (by their first word), and lost connections. Each connection keeps
 * {@code --pipeline} {@code SET}s of {@code --value-bytes} bytes outstanding over {@code --keys} keys
 * (a new one as each reply arrives: closed loop). The connections are spread over the targets
 * round-robin. After {@code --warmup} seconds it counts for {@code --seconds} and prints one line per
 * target and a {@code RESULT} line of {@code key=value} pairs. With {@code --every S} it also prints, every
 * S seconds of the measured window, a {@code SLICE epoch_ms=<end of the slice, wall clock> ok=<OK replies in
 * the slice> ok_per_s=<rate>} line: a timeline of one continuous load, to compare the rate before and
 * during an event (a learner catching up) without restarting the load.
 *
 * <p>Usage: {@code RespFlood --targets host:port[,host:port...] [--connections 200] [--pipeline 200]
 * [--value-bytes 1024] [--keys 100000] [--warmup 5] [--seconds 30] [--every 0]}. Runs on its own two
 * event-loop threads; bounded: a connection holds at most {@code --pipeline} requests.
 */
public final class RespFlood {

    /** The flood's settings. */
    record Options(List<InetSocketAddress> targets, int connections, int pipeline, int valueBytes, int keys,
                   double warmupSeconds, double seconds, double everySeconds) {
    }

    /** The replies of one target, by kind. */
    static final class Counts {
        final LongAdder ok = new LongAdder();
        final LongAdder tryAgain = new LongAdder();
        final LongAdder uncertain = new LongAdder();
        final Map<String, LongAdder> otherErrors = new ConcurrentHashMap<>();
        final LongAdder disconnects = new LongAdder();

        void count(String line) {
            if (line.startsWith("+")) {
                ok.increment();
            } else if (line.startsWith("-TRYAGAIN")) {
                tryAgain.increment();
            } else if (line.startsWith("-UNCERTAIN")) {
                uncertain.increment();
            } else {
                int space = line.indexOf(' ');
                String kind = space < 0 ? line : line.substring(0, space);
                otherErrors.computeIfAbsent(kind, k -> new LongAdder()).increment();
            }
        }

        long[] snapshot() {
            long others = otherErrors.values().stream().mapToLong(LongAdder::sum).sum();
            return new long[] {ok.sum(), tryAgain.sum(), uncertain.sum(), others, disconnects.sum()};
        }
    }

    private RespFlood() {
    }

    /**
     * Runs the flood.
     *
     * @param args see the class comment
     * @throws Exception if a target cannot be reached at the start
     */
    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        run(options, System.out);
    }

    static Options parse(String[] args) {
        List<InetSocketAddress> targets = new ArrayList<>();
        int connections = 200;
        int pipeline = 200;
        int valueBytes = 1024;
        int keys = 100_000;
        double warmup = 5;
        double seconds = 30;
        double every = 0;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--targets" -> {
                    for (String target : value.split(",")) {
                        int colon = target.lastIndexOf(':');
                        targets.add(new InetSocketAddress(target.substring(0, colon),
                                Integer.parseInt(target.substring(colon + 1))));
                    }
                }
                case "--connections" -> connections = Integer.parseInt(value);
                case "--pipeline" -> pipeline = Integer.parseInt(value);
                case "--value-bytes" -> valueBytes = Integer.parseInt(value);
                case "--keys" -> keys = Integer.parseInt(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--every" -> every = Double.parseDouble(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (targets.isEmpty() || connections < 1 || pipeline < 1 || valueBytes < 0 || keys < 1 || every < 0) {
            throw new IllegalArgumentException("usage: RespFlood --targets host:port[,host:port...] [--connections N] "
                    + "[--pipeline N] [--value-bytes N] [--keys N] [--warmup S] [--seconds S] [--every S]");
        }
        return new Options(List.copyOf(targets), connections, pipeline, valueBytes, keys, warmup, seconds, every);
    }

    static void run(Options options, PrintStream out) throws Exception {
        Map<InetSocketAddress, Counts> counts = new java.util.LinkedHashMap<>();
        options.targets().forEach(t -> counts.put(t, new Counts()));
        EventLoopGroup loops = new NioEventLoopGroup(2);
        try {
            byte[] value = new byte[options.valueBytes()];
            java.util.Arrays.fill(value, (byte) 'v');
            List<Channel> channels = new ArrayList<>();
            for (int c = 0; c < options.connections(); c++) {
                InetSocketAddress target = options.targets().get(c % options.targets().size());
                Counts targetCounts = counts.get(target);
                int first = c;
                Bootstrap bootstrap = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new Connection(options, value, targetCounts, first));
                            }
                        });
                channels.add(bootstrap.connect(target).sync().channel());
            }
            Thread.sleep((long) (options.warmupSeconds() * 1000));
            Map<InetSocketAddress, long[]> before = new java.util.LinkedHashMap<>();
            counts.forEach((t, c) -> before.put(t, c.snapshot()));
            long start = System.nanoTime();
            measure(options, counts, start, out);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long totalOk = 0;
            StringBuilder result = new StringBuilder("RESULT seconds=").append(String.format(Locale.ROOT, "%.1f", elapsed));
            int index = 0;
            for (Map.Entry<InetSocketAddress, Counts> entry : counts.entrySet()) {
                long[] now = entry.getValue().snapshot();
                long[] was = before.get(entry.getKey());
                long ok = now[0] - was[0];
                long tryAgain = now[1] - was[1];
                long uncertain = now[2] - was[2];
                long other = now[3] - was[3];
                long answers = ok + tryAgain + uncertain + other;
                totalOk += ok;
                Map<String, Long> others = new TreeMap<>();
                entry.getValue().otherErrors.forEach((k, v) -> others.put(k, v.sum()));
                out.printf(Locale.ROOT, "target %s: %.0f OK/s; answers %d: OK %d, TRYAGAIN %d, UNCERTAIN %d (%.2f%%), "
                                + "other errors %d %s, lost connections %d%n", entry.getKey(), ok / elapsed, answers, ok,
                        tryAgain, uncertain, answers == 0 ? 0.0 : 100.0 * uncertain / answers, other, others,
                        now[4] - was[4]);
                result.append(" t").append(index).append("_ok=").append(ok).append(" t").append(index)
                        .append("_tryagain=").append(tryAgain).append(" t").append(index).append("_uncertain=")
                        .append(uncertain).append(" t").append(index).append("_other=").append(other);
                index++;
            }
            out.printf(Locale.ROOT, "committed writes: %.0f/s%n", totalOk / elapsed);
            out.println(result.append(String.format(Locale.ROOT, " ok_per_s=%.0f", totalOk / elapsed)));
            channels.forEach(Channel::close);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Waits out the measured window, printing a {@code SLICE} line every {@code --every} seconds if set. */
    private static void measure(Options options, Map<InetSocketAddress, Counts> counts, long start, PrintStream out)
            throws InterruptedException {
        long end = start + (long) (options.seconds() * 1e9);
        if (options.everySeconds() <= 0) {
            TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
            return;
        }
        long slice = (long) (options.everySeconds() * 1e9);
        long sliceStart = start;
        long okAtStart = totalOk(counts);
        while (sliceStart < end) {
            long sliceEnd = Math.min(end, sliceStart + slice);
            TimeUnit.NANOSECONDS.sleep(sliceEnd - System.nanoTime());
            long okNow = totalOk(counts);
            out.printf(Locale.ROOT, "SLICE epoch_ms=%d ok=%d ok_per_s=%.0f%n", System.currentTimeMillis(),
                    okNow - okAtStart, (okNow - okAtStart) * 1e9 / (sliceEnd - sliceStart));
            out.flush();
            okAtStart = okNow;
            sliceStart = sliceEnd;
        }
    }

    private static long totalOk(Map<InetSocketAddress, Counts> counts) {
        long sum = 0;
        for (Counts c : counts.values()) {
            sum += c.ok.sum();
        }
        return sum;
    }

    /** One connection: keeps {@code pipeline} SETs outstanding, counts each reply line. */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private final Options options;
        private final byte[] value;
        private final Counts counts;
        private final StringBuilder line = new StringBuilder();
        private long next;

        Connection(Options options, byte[] value, Counts counts, long seed) {
            this.options = options;
            this.value = value;
            this.counts = counts;
            this.next = seed * 7919;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ByteBuf batch = ctx.alloc().buffer();
            for (int i = 0; i < options.pipeline(); i++) {
                writeSet(batch);
            }
            ctx.writeAndFlush(batch);
        }

        private void writeSet(ByteBuf out) {
            byte[] key = ("key:" + Math.floorMod(next++ * 2654435761L, options.keys())).getBytes(StandardCharsets.US_ASCII);
            out.writeCharSequence("*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(key);
            out.writeCharSequence("\r\n$" + value.length + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(value);
            out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int replies = 0;
            try {
                while (in.isReadable()) {
                    char c = (char) in.readByte();
                    if (c == '\n') {
                        int length = line.length();
                        if (length > 0 && line.charAt(length - 1) == '\r') {
                            line.setLength(length - 1);
                        }
                        counts.count(line.toString());
                        line.setLength(0);
                        replies++;
                    } else if (line.length() < 200) {
                        line.append(c);
                    }
                }
            } finally {
                in.release();
            }
            if (replies > 0) {
                ByteBuf batch = ByteBufAllocator.DEFAULT.buffer();
                for (int i = 0; i < replies; i++) {
                    writeSet(batch);
                }
                ctx.writeAndFlush(batch);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            counts.disconnects.increment();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
