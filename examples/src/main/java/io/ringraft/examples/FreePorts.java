package io.ringraft.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free loopback TCP ports for the benchmark and the examples' tests. The ports come from below the
 * kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768 by default), where no
 * outgoing connection is ever given a local port: a port a test frees (it kills a node to restart it on
 * the same address) stays free for the restart, unlike a port from {@code bind(0)}, which the next
 * outgoing connection may take. The documented defaults (6381.., 7381.., 9380..) are never picked, nor
 * a port this JVM handed out before. Each port is checked free by binding it. Another process may still
 * bind a picked port first; callers that start servers on them accept that small race.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /**
     * {@code count} distinct ports free on the loopback interface a moment ago.
     *
     * @param count how many ports
     * @return the ports
     * @throws IOException if not enough free ports are found
     */
    public static synchronized int[] pick(int count) throws IOException {
        int highest = ephemeralLow() - 1;
        int[] ports = new int[count];
        int found = 0;
        for (int attempt = 0; found < count && attempt < 10_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (reserved(port) || HANDED_OUT.contains(port) || !free(port)) {
                continue;
            }
            HANDED_OUT.add(port);
            ports[found++] = port;
        }
        if (found < count) {
            throw new IOException("found only " + found + " of " + count + " free ports in " + LOWEST + ".." + highest);
        }
        return ports;
    }

    /** The documented defaults a person trying the README may be using: 6381.., 7381.., 9380... */
    private static boolean reserved(int port) {
        return (port >= 6381 && port < 6400) || (port >= 7381 && port < 7400) || (port >= 9380 && port < 9400);
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (32768 if it cannot be read, or if it is too low). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 2_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
