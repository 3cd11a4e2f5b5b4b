package io.ringraft.sim;

import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.sim.linearizability.History;
import io.ringraft.sim.linearizability.KvInput;
import io.ringraft.sim.linearizability.KvOutput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

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
        /** The node the operation went to, its incarnation then, and whether it goes through the log. */
        SimNode target;
        int targetIncarnation;
        boolean throughLog;

        Client(int id) {
            this.id = id;
        }
    }

    /** An operation a scenario test submitted itself, resolved into the history like a client's. */
    static final class ScriptedOp {
        final KvCommand command;
        final long historyId;
        final SimNode target;
        final int targetIncarnation;
        final long submittedAt;
        CompletableFuture<Object> future;
        /** Virtual time the future completed, or -1. */
        long completedAt = -1;
        /** Whether the incarnation it was sent to was up and not failed when the future completed. */
        boolean targetServingAtCompletion;
        boolean resolved;
        boolean timedOut;

        ScriptedOp(KvCommand command, long historyId, SimNode target, long submittedAt) {
            this.command = command;
            this.historyId = historyId;
            this.target = target;
            this.targetIncarnation = target.incarnation;
            this.submittedAt = submittedAt;
        }

        boolean isOk() {
            return future.isDone() && !future.isCompletedExceptionally();
        }

        /** The RaftException it failed with, or null. */
        Throwable failure() {
            if (!future.isCompletedExceptionally()) {
                return null;
            }
            try {
                future.join();
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        }

        @Override
        public String toString() {
            return "op " + command.opId() + " " + command.input() + " to node " + target.id + "#" + targetIncarnation
                    + " at " + submittedAt + (future.isDone() ? (isOk() ? " ok " + future.join() : " failed " + failure())
                    + " at " + completedAt : " pending");
        }
    }

    private final SplittableRandom random;
    private final Client[] clients;
    private final List<ScriptedOp> unresolved = new ArrayList<>();
    private int nextScriptedClient = 1 << 20;
    private final int keys;
    private final long timeoutNanos;
    final History<KvInput, KvOutput> history = new History<>();
    private final Set<Long> acknowledgedWrites = new HashSet<>();
    private final List<Abandoned> abandoned = new ArrayList<>();
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
        for (Iterator<ScriptedOp> it = unresolved.iterator(); it.hasNext(); ) {
            ScriptedOp op = it.next();
            if (settle(op.command, op.historyId, op.future, op.submittedAt, now)) {
                op.timedOut = !op.future.isDone();
                op.resolved = true;
                it.remove();
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
        return unresolved.isEmpty();
    }

    /**
     * Scripted: a new client sends {@code input} to {@code target} now, through the log, or as a
     * linearizable read (ReadIndex) if {@code asRead} (gets only); resolved on later steps.
     */
    ScriptedOp submit(SimNode target, KvInput input, boolean asRead, LongSupplier clock) {
        if (asRead && !(input instanceof KvInput.Get)) {
            throw new IllegalArgumentException("only a get can be a read: " + input);
        }
        long now = clock.getAsLong();
        KvCommand command = new KvCommand(nextOpId++, input);
        ScriptedOp op = new ScriptedOp(command, history.invoke(nextScriptedClient++, input, now), target, now);
        unresolved.add(op);
        op.future = asRead ? target.read(command.encode()) : target.propose(command.encode());
        op.future.whenComplete((result, error) -> {
            op.completedAt = clock.getAsLong();
            op.targetServingAtCompletion = target.isServing() && target.incarnation == op.targetIncarnation;
        });
        return op;
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
        // Half the reads go through the log, half are linearizable reads (ReadIndex, also on followers).
        boolean readIndex = input instanceof KvInput.Get && random.nextBoolean();
        // Writes (and log reads) sent to a follower are forwarded to the leader half the time.
        boolean forward = !readIndex && random.nextBoolean();
        client.target = target;
        client.targetIncarnation = target.incarnation;
        client.throughLog = !readIndex;
        client.future = readIndex ? target.read(client.command.encode())
                : forward ? target.forward(client.command.encode()) : target.propose(client.command.encode());
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
        if (settle(client.command, client.opHistoryId, client.future, client.startedAt, now)) {
            if (!client.future.isDone() && client.throughLog) {
                abandoned.add(new Abandoned(client.command.opId(), client.future, client.target,
                        client.targetIncarnation));
            }
            client.future = null;
        }
    }

    /** A log operation the client stopped waiting for: its future must still complete if its node applies it. */
    record Abandoned(long opId, CompletableFuture<Object> future, SimNode target, int targetIncarnation) {
    }

    /** Operations given up on after the timeout (test bookkeeping; grows with timeouts). */
    List<Abandoned> abandoned() {
        return abandoned;
    }

    /** Records the outcome of a finished or timed-out operation; false if it is still waiting. */
    private boolean settle(KvCommand command, long historyId, CompletableFuture<Object> future, long startedAt,
                           long now) {
        if (future.isDone()) {
            try {
                KvOutput output = (KvOutput) future.join();
                history.ok(historyId, output, now);
                completed++;
                if (!(command.input() instanceof KvInput.Get)) {
                    acknowledgedWrites.add(command.opId());
                }
            } catch (CompletionException e) {
                RaftException reason = (RaftException) e.getCause();
                finishUnsuccessfully(command, historyId, reason.mayHaveTakenEffect());
            }
            return true;
        } else if (now - startedAt > timeoutNanos) {
            finishUnsuccessfully(command, historyId, true); // no answer: it may still happen
            return true;
        }
        return false;
    }

    private void finishUnsuccessfully(KvCommand command, long historyId, boolean mayHaveTakenEffect) {
        if (mayHaveTakenEffect && !(command.input() instanceof KvInput.Get)) {
            history.unknown(historyId);
            unknown++;
        } else {
            history.fail(historyId); // certainly no effect, or a read: nothing to check
            failed++;
        }
    }

    /** Operation ids of writes acknowledged to a client (must all be in every final log). */
    Set<Long> acknowledgedWrites() {
        return acknowledgedWrites;
    }
}
