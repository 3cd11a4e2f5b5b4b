/**
 * The benchmark of record: {@link io.ringraft.examples.bench.ClusterBenchmark} (3 nodes in one JVM
 * over loopback TCP with durable segmented logs, one closed-loop driver thread) and
 * {@link io.ringraft.examples.bench.BenchmarkMatrix} (payload x fsync x window, one JVM per cell).
 * The many-groups benchmark: {@link io.ringraft.examples.bench.HostBenchmark} (3 {@code RaftHost}s with G
 * groups each, in one JVM or as 3 processes: creation, threads, memory and idle CPU per group, load spread
 * over the groups, leaders per host, failover of a killed host) and
 * {@link io.ringraft.examples.bench.HostBenchmarkMatrix} (mode x G x window, one JVM per cell).
 * Results and commands are recorded in {@code docs/benchmarks.md}.
 */
package io.ringraft.examples.bench;
