#!/usr/bin/env bash
# learner-catch-up.sh JAR OUTDIR: the leader's write rate while a wiped fourth node catches up (issue 20).
#
# Three KV `node` processes are loaded with 100,000 keys of 1 KiB (RespFlood, 8 connections x 32 pipelined
# SETs), the leader's rate is measured for 10 s, then a wiped fourth node is started and added with
# RAFT.ADDLEARNER 4 while the same load runs in back-to-back 2 s slices. Prints the rate before, each slice,
# and node 4's transfer log lines.
#
# Environment:
#   NODE_ARGS  extra `node` options for every node (for example "--catch-up-rate 40")
#   PIN=1      the learner gets CPU 1 to itself; the three voters and the load generator share CPU 0 (as a
#              learner on its own machine would not take the voters' CPU); -XX:ActiveProcessorCount=2 keeps
#              every JVM's ergonomics as without pinning
#   BASE_PORT  first of the ports used (default 21300: Raft on BASE+1..4, Redis on BASE+101..104)
# Needs redis-cli. Data under $TMPDIR/kvlearner (wiped first). Kills its nodes at the end.
set -u
JAR=$1; OUT=$2; mkdir -p "$OUT"
DATA=${TMPDIR:-/tmp}/kvlearner; rm -rf "$DATA"; mkdir -p "$DATA"
B=${BASE_PORT:-21300}
PEERS=1=127.0.0.1:$((B+1)),2=127.0.0.1:$((B+2)),3=127.0.0.1:$((B+3)),4=127.0.0.1:$((B+4))
cpus() { if [ "${PIN:-0}" = 1 ]; then echo "taskset -c $1 java -XX:ActiveProcessorCount=2"; else echo java; fi; }
start() {
  local cpu=0; [ "$1" = 4 ] && cpu=1
  $(cpus $cpu) -Xmx2g -jar "$JAR" node --id $1 --raft 127.0.0.1:$((B+$1)) --redis 127.0.0.1:$((B+100+$1)) \
    --peers $PEERS --voters 1,2,3 --data-dir "$DATA/n$1" ${NODE_ARGS:-} > "$OUT/node$1.log" 2>&1 &
}
leader=""
findleader() {
  leader=""
  for t in $(seq 1 30); do
    for i in 1 2 3; do
      r=$(redis-cli -p $((B+100+i)) RAFT.STATUS 2>/dev/null | tr -d '\r' | grep '^raft_role:' | cut -d: -f2)
      [ "$r" = leader ] && leader=$i
    done
    [ -n "$leader" ] && break; sleep 1
  done
  echo "leader $leader" >> "$OUT/roles.txt"
}
load() {
  $(cpus 0) -cp "$JAR" io.ringraft.examples.bench.RespFlood --value-bytes 1024 --keys 100000 \
    --targets 127.0.0.1:$((B+100+leader)) --connections 8 --pipeline 32 "$@"
}
for i in 1 2 3; do start $i; done
sleep 8; findleader
load --warmup 0 --seconds 15 > "$OUT/load.txt" 2>&1
findleader; load --warmup 2 --seconds 10 > "$OUT/before.txt" 2>&1
# the same 2 s slices as during the catch-up (each a fresh load JVM, no warm-up), to compare like with like
for k in $(seq 1 5); do load --warmup 0 --seconds 2 2>&1 | grep RESULT | sed "s/^/$(date -u +%T) /"; done > "$OUT/before-slices.txt"
start 4; sleep 3; findleader
(for k in $(seq 1 10); do load --warmup 0 --seconds 2 2>&1 | grep RESULT | sed "s/^/$(date -u +%T) /"; done > "$OUT/during.txt") &
slices=$!
sleep 2; findleader
date -u +%FT%T.%3NZ > "$OUT/addlearner.txt"; redis-cli -p $((B+100+leader)) RAFT.ADDLEARNER 4 >> "$OUT/addlearner.txt"
wait $slices
grep -h "receiving snapshot\|received snapshot" "$OUT/node4.log" > "$OUT/transfer.txt"
echo "before: $(grep RESULT "$OUT/before.txt")"; echo "before, 2 s slices:"
grep -o "^[0-9:]*\|ok_per_s=.*" "$OUT/before-slices.txt" | paste - -; echo "during (2 s each):"
grep -o "^[0-9:]*\|ok_per_s=.*" "$OUT/during.txt" | paste - -; cat "$OUT/addlearner.txt" "$OUT/transfer.txt"
pkill -f "$DATA/n"
