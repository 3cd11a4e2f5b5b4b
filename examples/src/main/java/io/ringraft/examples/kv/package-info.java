/**
 * A replicated key-value store on RingRaft that speaks the Redis protocol (RESP).
 *
 * <p>{@link io.ringraft.examples.kv.KvStateMachine} holds the map and executes
 * {@link io.ringraft.examples.kv.KvCodec} commands; {@link io.ringraft.examples.kv.KvServer} serves
 * RESP on each node through {@link io.ringraft.examples.kv.RespCommands};
 * {@link io.ringraft.examples.kv.KvCluster} runs a whole cluster in one process (writes go to the
 * leader's object, {@link io.ringraft.examples.kv.InProcessRouter}), {@link io.ringraft.examples.kv.KvNode}
 * one node whose peers are other processes (writes forwarded over the transport,
 * {@link io.ringraft.examples.kv.ForwardingRouter}), and {@link io.ringraft.examples.kv.KvMain} is the
 * command line ({@code ringraft-kv.jar}).
 *
 * <p>With {@code --groups N} the keys hash to N Raft groups ({@link io.ringraft.examples.kv.KeyGroups}):
 * each process is a {@code RaftHost} holding groups 1..N on one shared log (package-private
 * {@code KvHost}), and each server routes every command by its keys to its group (package-private
 * {@code GroupRoutes}: a member and a router per group).
 */
package io.ringraft.examples.kv;
