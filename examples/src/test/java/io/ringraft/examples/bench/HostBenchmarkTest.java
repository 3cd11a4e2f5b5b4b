package io.ringraft.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The many-groups benchmark runs end to end with tiny settings (4 groups, in-process network, in-memory
 * logs, about 2 s): it completes, its RESULT line parses and proposals were applied. Not a performance
 * assertion.
 */
class HostBenchmarkTest {

    @Test
    void aShortRunCompletesAndItsResultLineParses() throws Exception {
        List<String> log = new ArrayList<>();
        HostBenchmark.Result result = HostBenchmark.run(HostBenchmark.Options.parse(new String[] {"--groups", "4",
                "--transport", "local", "--storage", "memory", "--window", "16", "--payload", "16",
                "--warmup", "0.3", "--seconds", "1", "--idle-seconds", "0.2", "--workers", "1", "--kill-host", "most"}),
                log::add);
        log.forEach(System.out::println);
        System.out.println(result.resultLine());
        Map<String, String> figures = BenchmarkMatrix.parse(result.resultLine());
        assertThat(Long.parseLong(figures.get("ops"))).isPositive();
        assertThat(figures).containsEntry("groups", "4").containsEntry("consistent", "true")
                .containsEntry("hostThreads", "2").containsKeys("createMs", "leadersMs", "heapPerGroupB",
                        "directPerGroupB", "idleCpuPct", "opsPerSec", "p99us", "cpuUsPerOp", "leaders", "failoverMs");
        assertThat(figures.get("leaders").split("/")).hasSize(3);
        assertThat(Double.parseDouble(figures.get("failoverMs"))).isPositive();
        assertThat(HostBenchmarkMatrix.table(List.of(figures))).contains("| jvm | 4 | 16 | ");
    }

    @Test
    void optionsParseAndRoundTrip() {
        HostBenchmark.Options o = HostBenchmark.Options.parse(new String[] {"--groups", "256", "--transport", "local",
                "--storage", "dirs", "--window", "4096", "--kill-host", "most", "--workers", "2"});
        assertThat(o.groups()).isEqualTo(256);
        assertThat(o.transport()).isEqualTo(HostBenchmark.Transport.LOCAL);
        assertThat(o.storage()).isEqualTo(HostBenchmark.Storage.DIRS);
        assertThat(o.killHost()).isEqualTo(-1);
        HostBenchmark.Options again = HostBenchmark.Options.parse(o.toArgs().toArray(String[]::new));
        assertThat(again.describe()).isEqualTo(o.describe());
        assertThatThrownBy(() -> HostBenchmark.Options.parse(new String[] {"--processes", "--transport", "local"}))
                .hasMessageContaining("--processes needs --transport netty");
    }

    @Test
    void tooManyGroupsForTheHeapAreRefusedWithTheHeapToUse() {
        long perGroup = io.ringraft.api.RaftConfig.hostDefaults().reservedBytes();
        int groups = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / perGroup / 3 + 1);
        assertThatThrownBy(() -> HostBenchmark.checkMemory(groups, 3, line -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("run with -Xmx");
    }
}
