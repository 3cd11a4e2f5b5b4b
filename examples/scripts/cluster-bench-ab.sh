#!/usr/bin/env bash
# cluster-bench-ab.sh OUTDIR ROUNDS FSYNC VARIANT...: ClusterBenchmark (100 B, W=256, 10 s warm-up, 20 s
# measured) alternating over variants, ROUNDS times, each with its latency timeline (LatencyTimeline).
# VARIANT is NAME=JAR or NAME=JAR:ARGS with commas for spaces, e.g. compact=ringraft-kv.jar:--threads,compact.
# The RESULT lines go to OUTDIR/results.txt with the load average before each run. JFR=1 also records every
# fsync (jdk.FileForce, no threshold) in each run's ff.jfr.
set -u
OUT=$1; R=$2; FS=$3; shift 3; mkdir -p "$OUT"
for r in $(seq 1 "$R"); do for v in "$@"; do
  name=${v%%=*}; rest=${v#*=}; jar=${rest%%:*}; extra=""; [ "$rest" != "$jar" ] && extra=$(echo "${rest#*:}" | tr ',' ' ')
  d=$OUT/$name-$FS-$r; mkdir -p "$d"
  J=""; [ -n "${JFR:-}" ] && J="-XX:StartFlightRecording:filename=$d/ff.jfr,settings=none,+jdk.FileForce#enabled=true,+jdk.FileForce#threshold=0ms"
  load=$(cut -d' ' -f1 /proc/loadavg)
  java -Dringraft.bench.timeline="$d" $J -cp "$jar" io.ringraft.examples.bench.ClusterBenchmark --payload 100 \
    --window 256 --fsync "$FS" --warmup 10 --seconds 20 $extra > "$d/out.txt" 2>&1
  echo "$name $FS $r load=$load $(grep ^RESULT "$d/out.txt" | grep -o 'opsPerSec=.*maxus=[0-9.]*\|cpuUsPerOp=[0-9.]*\|bytesPerOp=[0-9.]*' | tr '\n' ' ')" | tee -a "$OUT/results.txt"
done; done
