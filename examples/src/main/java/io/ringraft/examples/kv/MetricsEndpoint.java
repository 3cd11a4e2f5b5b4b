package io.ringraft.examples.kv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The KV store's {@code /metrics}: a Prometheus meter registry that the process's nodes
 * ({@code MicrometerRaftMetrics}) and transports ({@code NettyTransportMetrics}) register in, plus the
 * JVM's memory, GC, thread and CPU meters, served in the Prometheus text format by the JDK's HTTP server
 * ({@code GET /metrics}; anything else is 404).
 *
 * <p>Started by {@link KvCluster} and {@link KvNode} on their thread; the HTTP server answers on one
 * thread of its own (a scrape builds the text from the registry, which polls each node's status once).
 * {@link #close()} stops the server, then the JVM meters. Nodes remove their own meters when they close.
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** The path scrapes ask for. */
    public static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private MetricsEndpoint(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
    }

    /**
     * Binds {@code address} (port 0: any free port) and serves {@link #PATH}.
     *
     * @throws UncheckedIOException if the address cannot be bound (a port in use)
     */
    public static MetricsEndpoint start(InetSocketAddress address) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            gc.close();
            registry.close();
            throw new UncheckedIOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        server.createContext("/", exchange -> answer(exchange, registry));
        server.start();
        return new MetricsEndpoint(registry, gc, server);
    }

    private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: try " + PATH + "\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", method);
            } else {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape(), method);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The registry nodes and transports register their meters in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The address the server listens on (with the actual port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return server.getAddress();
    }

    /** Stops serving (at once) and closes the JVM meters and the registry. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        gc.close();
        registry.close();
    }
}
