#!/usr/bin/env bash
# learner-catch-up.sh JAR OUTDIR: the leader's write rate while a wiped fourth node catches up (issue 20).
#
# Three KV `node` processes are loaded with 100,000 keys of 1 KiB (RespFlood, 8 connections x 32 pipelined
# SETs, 15 s), a wiped fourth node is started, then ONE continuous load (RespFlood --every 1: a rate per
# second) runs for BEFORE + AFTER seconds; RAFT.ADDLEARNER 4 is sent BEFORE seconds into it, and the leader's
# lag for node 4 is polled every 0.5 s. Prints the mean rate over the BEFORE seconds, over the catch-up (from
# the command until node 4's lag first falls to at most CAUGHT_UP entries), and after it, with every
# per-second rate and node 4's transfer log lines. (Until 2026-12-08 this script compared 2 s slices, each
# run by a fresh load JVM: its own warm-up made the slices swing by +-35 %.)
#
# Environment:
#   NODE_ARGS  extra `node` options for every node (for example "--catch-up-rate 40")
#   PIN=1      the learner gets CPU 1 to itself; the three voters and the load generator share CPU 0 (as a
#              learner on its own machine would not take the voters' CPU); -XX:ActiveProcessorCount=2 keeps
#              every JVM's ergonomics as without pinning
#   BEFORE, AFTER  seconds of load before and after RAFT.ADDLEARNER (default 20 and 40)
#   CAUGHT_UP  the lag (entries) at which node 4 counts as caught up (default 1000)
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
findleader; start 4; sleep 3; findleader
BEFORE=${BEFORE:-20}; AFTER=${AFTER:-40}; CAUGHT_UP=${CAUGHT_UP:-1000}
load --warmup 3 --seconds $((BEFORE + AFTER)) --every 1 > "$OUT/timeline.txt" 2>&1 &
flood=$!
sleep $((3 + BEFORE))
add=$(date +%s%3N); redis-cli -p $((B+100+leader)) RAFT.ADDLEARNER 4 > "$OUT/addlearner.txt"
echo "$add" >> "$OUT/addlearner.txt"
while kill -0 $flood 2>/dev/null; do
  lag=$(redis-cli -p $((B+100+leader)) RAFT.STATUS 2>/dev/null | tr -d '\r' | grep '^raft_follower_4:' | sed 's/.*lag=//')
  echo "$(date +%s%3N) ${lag:--}" >> "$OUT/lag.txt"; sleep 0.5
done
grep -h "receiving snapshot\|received snapshot" "$OUT/node4.log" > "$OUT/transfer.txt"
caught=$(awk -v add=$add -v t=$CAUGHT_UP '$1 > add && $2 != "-" && $2 <= t { print $1; exit }' "$OUT/lag.txt")
awk -v add=$add -v caught=${caught:-0} -v before=$BEFORE '
  /^SLICE/ { split($2, a, "="); split($4, r, "="); ms = a[2]; rate = r[2]
             if (ms <= add && ms > add - before * 1000) { b += rate; nb++ }
             else if (ms > add && (caught == 0 || ms <= caught + 1000)) { d += rate; nd++ }
             else if (ms > add) { f += rate; nf++ }
             printf "%+7.1f s %8d\n", (ms - add) / 1000, rate }
  END { if (nb) printf "before: %d writes/s over %d s\n", b / nb, nb
        if (nd) printf "catch-up: %d writes/s over %d s (%.0f %% of before)%s\n", d / nd, nd, 100 * d / nd / (b / nb), caught ? "" : " (never caught up)"
        if (nf) printf "after: %d writes/s over %d s (%.0f %% of before)\n", f / nf, nf, 100 * f / nf / (b / nb) }' "$OUT/timeline.txt"
[ -n "$caught" ] && echo "caught up (lag <= $CAUGHT_UP) $(( (caught - add) )) ms after RAFT.ADDLEARNER"
cat "$OUT/addlearner.txt" "$OUT/transfer.txt"
pkill -f "$DATA/n"
