package io.ringraft.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark driver runs end to end with tiny settings: it completes, applies proposals and finds
 * the three state machines identical. Not a performance assertion.
 */
class ClusterBenchmarkTest {

    @Test
    void aShortRunCompletesWithIdenticalStateMachines() throws Exception {
        List<String> log = new ArrayList<>();
        ClusterBenchmark.Result result = ClusterBenchmark.run(
                ClusterBenchmark.Options.parse(new String[] {"--payload", "16", "--window", "8", "--fsync", "on",
                        "--warmup", "0.5", "--seconds", "1.5"}), log::add);
        ClusterBenchmark.print(result);
        assertThat(result.ops()).isPositive();
        assertThat(result.consistent()).as(result.stateMachines()).isTrue();
        assertThat(result.appliedEntries()).isGreaterThanOrEqualTo(result.ops());
        assertThat(result.resultLine()).startsWith("RESULT ").contains("consistent=true");
    }

    @Test
    void optionsParse() {
        ClusterBenchmark.Options o = ClusterBenchmark.Options.parse(new String[] {"--payload", "1024", "--fsync",
                "off", "--window", "64", "--warmup", "5", "--seconds", "10"});
        assertThat(o).isEqualTo(new ClusterBenchmark.Options(1024, 64, false, 5, 10));
        assertThat(ClusterBenchmark.Options.parse(new String[0])).isEqualTo(ClusterBenchmark.Options.defaults());
    }

    @Test
    void matrixTableHasOneRowPerResult() {
        String line = "RESULT payload=100 window=1 fsync=on ops=10 seconds=1.000 opsPerSec=10 p50us=100.0"
                + " p99us=200.0 p999us=300.0 maxus=400.0 bytesPerOp=50.0 gcCount=0 gcMs=0 peakHeapMB=10.0"
                + " cpuUsPerOp=5.00 cpuCores=0.10 failures=0 leaderChanges=0 consistent=true";
        String table = BenchmarkMatrix.table(List.of(BenchmarkMatrix.parse(line)));
        assertThat(table).contains("| 100 B | on | 1 | 10 | 0.100 | 0.200 | 0.300 | 0.40 | 50 | 5.0 | 0 (0) | 10.0 | 0 | yes |");
    }
}
