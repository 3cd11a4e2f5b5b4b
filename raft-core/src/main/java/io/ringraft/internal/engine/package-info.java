/**
 * The pure Raft engine: no threads, IO, clock or global randomness. {@code RaftEngine} takes inputs
 * (ticks, messages, proposals, flush reports) and produces {@code Effect}s as data, which its one
 * caller (the runtime's core task, a test harness, the simulator) carries out in order. The work is
 * split by concern: elections, the follower's log, the leader's replication, linearizable reads,
 * snapshot install; the leaf packages hold quorum arithmetic ({@code quorum}), durability and
 * pipelining progress ({@code progress}) and configurations ({@code membership}). Internal: not
 * exported by the module. See {@code docs/engine.md}.
 */
package io.ringraft.internal.engine;
