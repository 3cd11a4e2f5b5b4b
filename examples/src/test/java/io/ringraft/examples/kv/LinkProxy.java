package io.ringraft.examples.kv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy for one directed link of a test cluster: node A dials B through it (A's {@code --peers}
 * names this proxy's port for B), so it carries every connection A opens to B. The test switches it
 * between three modes:
 * <ul>
 *   <li>{@link Mode#OPEN}: bytes flow both ways;
 *   <li>{@link Mode#CUT}: every connection through it is closed (both ends see a reset or EOF) and new
 *       ones are accepted and closed at once, as a firewall that rejects;
 *   <li>{@link Mode#BLACK_HOLE}: connections stay open but no byte moves either way (the pumps stop
 *       reading, so the kernel buffers fill and the senders stall); new connections are accepted and
 *       held silent; reopening lets the held bytes through, as a network that drops packets and a TCP
 *       stack that retransmits them after the heal.
 * </ul>
 * One thread accepts, two threads pump each connection (blocking IO). Test code only.
 */
final class LinkProxy implements AutoCloseable {

    enum Mode { OPEN, CUT, BLACK_HOLE }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile Mode mode = Mode.OPEN;
    private volatile boolean closed;

    LinkProxy(String name, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        Thread acceptor = new Thread(this::acceptLoop, "proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    Mode mode() {
        return mode;
    }

    /** Switches the mode; {@link Mode#CUT} closes every connection through the proxy now. */
    void mode(Mode next) {
        synchronized (gate) {
            mode = next;
            gate.notifyAll();
        }
        if (next == Mode.CUT) {
            closeAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (mode == Mode.CUT) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 1000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client); // the node behind the proxy is down: refuse as it would
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            if (mode == Mode.CUT) { // cut while we connected
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            startPump(client, upstream);
            startPump(upstream, client);
        }
    }

    private void startPump(Socket from, Socket to) {
        Thread pump = new Thread(() -> pump(from, to), "proxy-pump-" + from.getPort());
        pump.setDaemon(true);
        pump.start();
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                awaitFlowing(from);
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                awaitFlowing(from);
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException e) {
            // closed by a cut, by the peer or by close()
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    /** Blocks while black-holed; throws once cut or closed. */
    private void awaitFlowing(Socket from) throws InterruptedException, SocketException {
        synchronized (gate) {
            while (mode == Mode.BLACK_HOLE && !closed) {
                gate.wait();
            }
        }
        if (mode == Mode.CUT || closed || from.isClosed()) {
            throw new SocketException("cut");
        }
    }

    private void closeAll() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        closeQuietly(server);
        closeAll();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
