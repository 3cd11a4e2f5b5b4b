package io.ringraft.examples.bench;

import java.util.function.Consumer;

/** {@link HostBenchmark} with its three hosts as three JVMs (not yet). */
final class HostProcesses {

    private HostProcesses() {
    }

    static HostBenchmark.Result run(HostBenchmark.Options o, Consumer<String> log) {
        throw new UnsupportedOperationException("--processes is not built yet");
    }

    static void child(HostBenchmark.Options o) {
        throw new UnsupportedOperationException("--processes is not built yet");
    }
}
