#!/usr/bin/env bash
# flood.sh JAR OUTDIR: three node processes, unloaded and flood runs of RespFlood (issue 20 setup)
# Environment: NODE_OPTS, extra JVM options for every node (@ID@ is replaced by the node id). Needs redis-cli.
JAR=$1; OUT=$2; mkdir -p $OUT; rm -rf /tmp/kvflood; mkdir -p /tmp/kvflood
PEERS=1=127.0.0.1:21101,2=127.0.0.1:21102,3=127.0.0.1:21103
for i in 1 2 3; do java -Xmx2g ${NODE_OPTS//@ID@/$i} -jar $JAR node --id $i --raft 127.0.0.1:2110$i --redis 127.0.0.1:2120$i --peers $PEERS --data-dir /tmp/kvflood/n$i > $OUT/node$i.log 2>&1 & done
sleep 8
leader=""; for t in $(seq 1 30); do for i in 1 2 3; do r=$(redis-cli -p 2120$i RAFT.STATUS 2>/dev/null | tr -d '\r' | grep '^raft_role:' | cut -d: -f2); [ "$r" = leader ] && leader=$i; done; [ -n "$leader" ] && break; sleep 1; done
follower=$(( leader % 3 + 1 )); echo "leader $leader follower $follower" | tee $OUT/roles.txt
cpu() { t=0; for p in $(pgrep -f "kvflood/n"); do set -- $(cut -d" " -f14,15 /proc/$p/stat); t=$((t+$1+$2)); done; echo $t; }
F="java -cp $JAR io.ringraft.examples.bench.RespFlood --value-bytes 1024 --keys 100000"
c0=$(cpu)
$F --targets 127.0.0.1:2120$leader --connections 8 --pipeline 32 --warmup 5 --seconds 20 > $OUT/unloaded.txt 2>&1
c1=$(cpu)
$F --targets 127.0.0.1:2120$leader,127.0.0.1:2120$follower --connections 200 --pipeline 200 --warmup 5 --seconds 30 > $OUT/flood.txt 2>&1
for p in $(pgrep -f "kvflood/n"); do echo "pid $p: $(jcmd $p GC.heap_info 2>/dev/null | grep -m1 -o 'total [0-9]*K, used [0-9]*K')"; done > $OUT/heap.txt
c2=$(cpu); echo "node cpu ticks (1/100 s): unloaded $((c1-c0)) flood $((c2-c1))" > $OUT/nodecpu.txt
for i in 1 2 3; do redis-cli -p 2120$i RAFT.STATUS | tr -d '\r' | grep -E "raft_term|raft_role" | tr '\n' ' '; echo; done > $OUT/after.txt
for i in 1 2 3; do ps -o pid,cputime,args -p $(pgrep -f "kvflood/n$i") | tail -1 | cut -c1-40; done > $OUT/cpu.txt
pkill -f "kvflood/n"
