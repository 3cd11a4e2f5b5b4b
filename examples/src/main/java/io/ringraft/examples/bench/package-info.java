/**
 * The benchmark of record: {@link io.ringraft.examples.bench.ClusterBenchmark} (3 nodes in one JVM
 * over loopback TCP with durable segmented logs, one closed-loop driver thread) and
 * {@link io.ringraft.examples.bench.BenchmarkMatrix} (payload x fsync x window, one JVM per cell).
 * Results and commands are recorded in {@code docs/benchmarks.md}.
 */
package io.ringraft.examples.bench;
