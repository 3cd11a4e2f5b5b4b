#!/bin/sh
# Runs io.ringraft.storage.bench.SharedLogBenchmark (see docs/benchmarks.md, "Shared write-ahead log").
# Usage, from the repository root: raft-storage/bench-shared-log.sh [directory] [secondsPerRun] [recoveryMiB] [ioThreads] [groups,...]
# Set SKIP_BUILD=1 to reuse the compiled classes; JAVA_OPTS adds JVM options (for example a JFR recording,
# -Dwalbench.ioOnly=true for the IO-thread shape only, -Dwalbench.fsync=false for a CPU-only run without forces).
set -e
cd "$(dirname "$0")/.."
if [ -z "$SKIP_BUILD" ]; then
    ./mvnw -o -B -q -pl raft-storage -am test-compile
fi
R="${MAVEN_REPO:-$HOME/.m2/repository}"
CP="raft-storage/target/test-classes:raft-storage/target/classes:raft-core/target/classes"
CP="$CP:$R/org/agrona/agrona/2.6.0/agrona-2.6.0.jar:$R/org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar"
CP="$CP:$R/org/jctools/jctools-core/4.0.7/jctools-core-4.0.7.jar:$R/org/slf4j/slf4j-simple/2.0.20/slf4j-simple-2.0.20.jar:$R/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar"
exec java -Xmx2g $JAVA_OPTS -cp "$CP" io.ringraft.storage.bench.SharedLogBenchmark "$@"
