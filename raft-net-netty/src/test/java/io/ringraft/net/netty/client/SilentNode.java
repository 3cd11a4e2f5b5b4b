package io.ringraft.net.netty.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake node on a free port that completes the client handshake and then answers nothing: a replica
 * that hangs. Counts the request frames it swallowed.
 */
final class SilentNode implements AutoCloseable {

    final ServerSocket server;
    final AtomicInteger swallowed = new AtomicInteger();
    private final Thread thread;

    SilentNode() throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "silent-node");
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                in.readFully(new byte[in.readInt()]); // HELLO
                ByteBuf ack = HandshakeCodec.encodeAck(ByteBufAllocator.DEFAULT,
                        new HandshakeCodec.HelloAck(WireFormat.VERSION, 3, ClientCluster.CLUSTER_ID));
                byte[] bytes = new byte[ack.readableBytes()];
                ack.readBytes(bytes);
                ack.release();
                out.writeInt(bytes.length);
                out.write(bytes);
                out.flush();
                while (true) {
                    in.readFully(new byte[in.readInt()]);
                    swallowed.incrementAndGet();
                }
            } catch (IOException e) {
                // closed: accept the next one, or end with the server
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
