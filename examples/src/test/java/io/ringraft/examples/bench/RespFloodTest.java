package io.ringraft.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link RespFlood}'s timeline ({@code --every}) against a server that answers {@code +OK} to every command. */
class RespFloodTest {

    @Test
    void theTimelineCoversTheMeasuredWindowInSlicesThatAddUpToTheResult() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new OkToEveryCommand());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            RespFlood.run(RespFlood.parse(new String[] {"--targets", "127.0.0.1:" + port, "--connections", "2",
                "--pipeline", "4", "--value-bytes", "16", "--warmup", "0", "--seconds", "1", "--every", "0.25"}),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String printed = bytes.toString(StandardCharsets.UTF_8);
            List<Long> slices = Pattern.compile("SLICE epoch_ms=\\d+ ok=(\\d+) ok_per_s=\\d+").matcher(printed)
                    .results().map(m -> Long.parseLong(m.group(1))).toList();
            Matcher result = Pattern.compile("RESULT .* t0_ok=(\\d+) ").matcher(printed);
            assertThat(result.find()).as(printed).isTrue();
            long total = Long.parseLong(result.group(1));
            // no warm-up: the first slice may see no reply yet (a cold JVM), so only the count and the sum are exact
            assertThat(slices).as(printed).hasSize(4).allSatisfy(ok -> assertThat(ok).isNotNegative());
            // the RESULT's count closes a moment after the last slice: it holds every slice's replies and maybe a few more
            assertThat(slices.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(total).isPositive();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aNegativeSliceLengthIsRefused() {
        assertThatThrownBy(() -> RespFlood.parse(new String[] {"--targets", "127.0.0.1:1", "--every", "-1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--every");
    }

    /** Answers {@code +OK} per command: each RESP array header ({@code *}) starts one; keys and values hold no '*'. */
    private static final class OkToEveryCommand extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int commands = 0;
            try {
                while (in.isReadable()) {
                    if (in.readByte() == '*') {
                        commands++;
                    }
                }
            } finally {
                in.release();
            }
            if (commands > 0) {
                ByteBuf out = ctx.alloc().buffer(commands * 5);
                for (int i = 0; i < commands; i++) {
                    out.writeCharSequence("+OK\r\n", StandardCharsets.US_ASCII);
                }
                ctx.writeAndFlush(out);
            }
        }
    }
}
