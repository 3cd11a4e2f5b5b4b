package io.ringraft.sim;

import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.sim.linearizability.History;
import io.ringraft.sim.linearizability.KvInput;
import io.ringraft.sim.linearizability.KvOutput;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Clients of the simulated KV store, each with at most one operation outstanding (the process model
 * of Knossos and Porcupine), over a few keys so per-key histories stay short. Every operation is
 * recorded in a {@link History}: a success with its output; a definite failure (not leader, refused,
 * node stopped) is dropped; a write that may or may not have happened (leadership lost after it was
 * appended, storage failed, or no answer before the client's timeout) stays unknown.
 */
final class KvWorkload {

    private final class Client {
        final int id;
        long opHistoryId = -1;
        KvCommand command;
        CompletableFuture<Object> future;
        long startedAt;
        long preferredNode;

        Client(int id) {
            this.id = id;
        }
    }

    private final SplittableRandom random;
    private final Client[] clients;
    private final int keys;
    private final long timeoutNanos;
    final History<KvInput, KvOutput> history = new History<>();
    private final Set<Long> acknowledgedWrites = new HashSet<>();
    private long nextOpId = 1;
    private int nextValue;
    double startProbability = 0.05;
    long completed;
    long failed;
    long unknown;

    KvWorkload(SplittableRandom random, int clientCount, int keys, long timeoutNanos) {
        this.random = random;
        this.clients = new Client[clientCount];
        for (int i = 0; i < clientCount; i++) {
            clients[i] = new Client(i);
        }
        this.keys = keys;
        this.timeoutNanos = timeoutNanos;
    }

    /** One step of every client: resolve what finished or timed out, maybe start a new operation. */
    void step(long now, List<SimNode> nodes, boolean startNew) {
        for (Client client : clients) {
            if (client.future != null) {
                resolve(client, now);
            }
            if (client.future == null && startNew && random.nextDouble() < startProbability) {
                start(client, now, nodes);
            }
        }
    }

    /** True when no operation is outstanding. */
    boolean idle() {
        for (Client client : clients) {
            if (client.future != null) {
                return false;
            }
        }
        return true;
    }

    private void start(Client client, long now, List<SimNode> nodes) {
        SimNode target = chooseNode(client, nodes);
        String key = "k" + random.nextInt(keys);
        KvInput input = switch (random.nextInt(3)) {
            case 0 -> KvInput.put(key, "v" + nextValue++);
            case 1 -> KvInput.get(key);
            default -> KvInput.cas(key, random.nextBoolean() ? null : "v" + random.nextInt(Math.max(1, nextValue)),
                    "v" + nextValue++);
        };
        client.command = new KvCommand(nextOpId++, input);
        client.opHistoryId = history.invoke(client.id, input, now);
        client.startedAt = now;
        client.future = target.propose(client.command.encode());
    }

    private SimNode chooseNode(Client client, List<SimNode> nodes) {
        for (SimNode node : nodes) {
            if (node.isServing() && node.engine().role() == Role.LEADER && random.nextInt(4) != 0) {
                return node;
            }
        }
        return nodes.get(random.nextInt(nodes.size()));
    }

    private void resolve(Client client, long now) {
        CompletableFuture<Object> future = client.future;
        if (future.isDone()) {
            try {
                KvOutput output = (KvOutput) future.join();
                history.ok(client.opHistoryId, output, now);
                completed++;
                if (!(client.command.input() instanceof KvInput.Get)) {
                    acknowledgedWrites.add(client.command.opId());
                }
            } catch (CompletionException e) {
                RaftException reason = (RaftException) e.getCause();
                finishUnsuccessfully(client, reason.mayHaveTakenEffect());
            }
            client.future = null;
        } else if (now - client.startedAt > timeoutNanos) {
            finishUnsuccessfully(client, true); // no answer: it may still happen
            client.future = null;
        }
    }

    private void finishUnsuccessfully(Client client, boolean mayHaveTakenEffect) {
        if (mayHaveTakenEffect && !(client.command.input() instanceof KvInput.Get)) {
            history.unknown(client.opHistoryId);
            unknown++;
        } else {
            history.fail(client.opHistoryId); // certainly no effect, or a read: nothing to check
            failed++;
        }
    }

    /** Operation ids of writes acknowledged to a client (must all be in every final log). */
    Set<Long> acknowledgedWrites() {
        return acknowledgedWrites;
    }
}
