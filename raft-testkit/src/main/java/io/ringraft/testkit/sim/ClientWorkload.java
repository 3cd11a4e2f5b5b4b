package io.ringraft.testkit.sim;

import io.ringraft.api.RaftException;
import io.ringraft.api.Role;
import io.ringraft.testkit.Workload;
import io.ringraft.testkit.linearizability.History;
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
 * The simulated clients, each with at most one operation outstanding (the process model of Knossos and
 * Porcupine), making operations with the user's {@link Workload}. Every operation is
 * recorded in a {@link History}: a success with its output; a definite failure (not leader, refused,
 * node stopped) is dropped; a write that may or may not have happened (leadership lost after it was
 * appended, storage failed, or no answer before the client's timeout) stays unknown.
 */
final class ClientWorkload<I, O> {

    private final class Client {
        final int id;
        long opHistoryId = -1;
        long opId;
        I input;
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
    static final class ScriptedOp<I> {
        final long opId;
        final I input;
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

        ScriptedOp(long opId, I input, long historyId, SimNode target, long submittedAt) {
            this.opId = opId;
            this.input = input;
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
            return "op " + opId + " " + input + " to node " + target.id + "#" + targetIncarnation
                    + " at " + submittedAt + (future.isDone() ? (isOk() ? " ok " + future.join() : " failed " + failure())
                    + " at " + completedAt : " pending");
        }
    }

    private final SplittableRandom random;
    private final List<Client> clients;
    private final List<ScriptedOp<I>> unresolved = new ArrayList<>();
    private final Workload<I, O> user;
    private int nextScriptedClient = 1 << 20;
    private final long timeoutNanos;
    final History<I, O> history = new History<>();
    private final Set<Long> acknowledgedWrites = new HashSet<>();
    private final List<Abandoned> abandoned = new ArrayList<>();
    private long nextOpId = 1;
    double startProbability = 0.05;
    long completed;
    long failed;
    long unknown;

    ClientWorkload(SplittableRandom random, int clientCount, Workload<I, O> user, long timeoutNanos) {
        this.user = user;
        this.random = random;
        this.clients = new ArrayList<>(clientCount);
        for (int i = 0; i < clientCount; i++) {
            clients.add(new Client(i));
        }
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
        for (Iterator<ScriptedOp<I>> it = unresolved.iterator(); it.hasNext(); ) {
            ScriptedOp<I> op = it.next();
            if (settle(op.opId, op.input, op.historyId, op.future, op.submittedAt, now)) {
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
     * linearizable read (ReadIndex) if {@code asRead} (read-only operations only); resolved on later steps.
     */
    ScriptedOp<I> submit(SimNode target, I input, boolean asRead, LongSupplier clock) {
        if (asRead && !user.isReadOnly(input)) {
            throw new IllegalArgumentException("only a read-only operation can be a read: " + input);
        }
        long now = clock.getAsLong();
        long opId = nextOpId++;
        ScriptedOp<I> op = new ScriptedOp<>(opId, input, history.invoke(nextScriptedClient++, input, now), target, now);
        unresolved.add(op);
        byte[] bytes = user.encode(input);
        op.future = asRead ? target.read(bytes, opId) : target.propose(CommandEnvelope.wrap(opId, bytes));
        op.future.whenComplete((result, error) -> {
            op.completedAt = clock.getAsLong();
            op.targetServingAtCompletion = target.isServing() && target.incarnation == op.targetIncarnation;
        });
        return op;
    }

    private void start(Client client, long now, List<SimNode> nodes) {
        SimNode target = chooseNode(client, nodes);
        I input = java.util.Objects.requireNonNull(user.next(random), "the workload made a null operation");
        client.opId = nextOpId++;
        client.input = input;
        client.opHistoryId = history.invoke(client.id, input, now);
        client.startedAt = now;
        // Half the reads go through the log, half are linearizable reads (ReadIndex, also on followers).
        boolean readIndex = user.isReadOnly(input) && random.nextBoolean();
        // Writes (and log reads) sent to a follower are forwarded to the leader half the time.
        boolean forward = !readIndex && random.nextBoolean();
        client.target = target;
        client.targetIncarnation = target.incarnation;
        client.throughLog = !readIndex;
        byte[] bytes = user.encode(input);
        client.future = readIndex ? target.read(bytes, client.opId)
                : forward ? target.forward(CommandEnvelope.wrap(client.opId, bytes))
                : target.propose(CommandEnvelope.wrap(client.opId, bytes));
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
        if (settle(client.opId, client.input, client.opHistoryId, client.future, client.startedAt, now)) {
            if (!client.future.isDone() && client.throughLog) {
                abandoned.add(new Abandoned(client.opId, client.future, client.target,
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
    private boolean settle(long opId, I input, long historyId, CompletableFuture<Object> future, long startedAt,
                           long now) {
        if (future.isDone()) {
            try {
                O output = user.decode(input, future.join());
                history.ok(historyId, output, now);
                completed++;
                if (!user.isReadOnly(input)) {
                    acknowledgedWrites.add(opId);
                }
            } catch (CompletionException e) {
                RaftException reason = (RaftException) e.getCause();
                finishUnsuccessfully(input, historyId, reason.mayHaveTakenEffect());
            }
            return true;
        } else if (now - startedAt > timeoutNanos) {
            finishUnsuccessfully(input, historyId, true); // no answer: it may still happen
            return true;
        }
        return false;
    }

    private void finishUnsuccessfully(I input, long historyId, boolean mayHaveTakenEffect) {
        if (mayHaveTakenEffect && !user.isReadOnly(input)) {
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
