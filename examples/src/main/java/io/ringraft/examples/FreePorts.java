package io.ringraft.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free loopback TCP ports for the benchmark and the examples' tests: binds {@code count}
 * sockets to port 0 at once (so the ports differ), notes their ports and closes them. Another process
 * may take a port before the caller binds it; callers that start servers on them accept that small race.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** {@code count} distinct ports free on the loopback interface a moment ago. */
    public static int[] pick(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return ports;
    }
}
