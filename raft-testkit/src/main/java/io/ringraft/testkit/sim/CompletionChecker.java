package io.ringraft.testkit.sim;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * I9, every completion exactly once: every future a simulated node hands out (proposals, forwards,
 * reads) and every {@link ProposalListener} call is checked.
 * <ul>
 *   <li>never twice: a second completion of a future, or a listener call for a correlation id already
 *       reported (or never accepted), is a violation at once (reported after the step);
 *   <li>never lost: when a node stops (closed, or fail-stopped once it reports its completions settled),
 *       everything its incarnation accepted must be completed; at the end of a run, everything accepted
 *       by a running node must complete within a bounded number of steps.
 * </ul>
 * A crash (power loss) excuses its incarnation: nothing of a vanished process can complete. Single-threaded,
 * like the simulation; bookkeeping grows only with the requests still pending.
 */
final class CompletionChecker {

    /** A future handed out by one incarnation of a node; counts its completions. */
    final class Tracked extends CompletableFuture<Object> {
        final String what;
        final long nodeId;
        final int incarnation;
        private int completions;

        Tracked(String what, long nodeId, int incarnation) {
            this.what = what;
            this.nodeId = nodeId;
            this.incarnation = incarnation;
        }

        @Override
        public boolean complete(Object value) {
            counted();
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            counted();
            return super.completeExceptionally(failure);
        }

        private void counted() {
            if (++completions == 2) {
                violation(this + " completed twice");
            }
        }

        @Override
        public String toString() {
            return what + " on node " + nodeId + "#" + incarnation;
        }
    }

    /** The listener of one incarnation: completes the futures of its {@code tryPropose} proposals. */
    final class Listener implements ProposalListener {
        private final Map<Long, Tracked> waiting = new HashMap<>();
        private final long nodeId;
        private long nextCorrelationId = 1;

        Listener(long nodeId) {
            this.nodeId = nodeId;
        }

        /** A correlation id for {@code future}'s proposal. */
        long register(Tracked future) {
            long id = nextCorrelationId++;
            waiting.put(id, future);
            return id;
        }

        /** The proposal was not queued: no listener call may come for it. */
        Tracked unregister(long correlationId) {
            return waiting.remove(correlationId);
        }

        @Override
        public void onApplied(long correlationId, long index, Object result) {
            Tracked future = take(correlationId);
            if (future != null) {
                future.complete(result);
            }
        }

        @Override
        public void onFailed(long correlationId, RaftException reason) {
            Tracked future = take(correlationId);
            if (future != null) {
                future.completeExceptionally(reason);
            }
        }

        private Tracked take(long correlationId) {
            Tracked future = waiting.remove(correlationId);
            if (future == null) {
                violation("node " + nodeId + "'s listener was called for correlation id " + correlationId
                        + ", which was reported already or never accepted");
            }
            return future;
        }
    }

    private final List<Tracked> pending = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    /** A new future for {@code what}, accepted (or refused at once) by {@code node}'s current incarnation. */
    Tracked track(SimNode node, String what) {
        Tracked future = new Tracked(what, node.id, node.incarnation);
        pending.add(future);
        return future;
    }

    /** {@code node}'s incarnation stopped (closed, or fail-stopped and settled): it owes nothing more. */
    void nodeStopped(SimNode node) {
        for (Iterator<Tracked> it = pending.iterator(); it.hasNext(); ) {
            Tracked future = it.next();
            if (future.nodeId == node.id && future.incarnation == node.incarnation) {
                it.remove();
                if (!future.isDone()) {
                    violation(future + " did not complete when its node stopped");
                }
            }
        }
    }

    /** {@code node}'s incarnation vanished (power loss): what it accepted can no longer complete. */
    void nodeCrashed(SimNode node) {
        pending.removeIf(future -> future.nodeId == node.id && future.incarnation == node.incarnation);
    }

    /** The futures not completed yet (forgetting the completed ones). */
    List<Tracked> stillPending() {
        pending.removeIf(CompletableFuture::isDone);
        return List.copyOf(pending);
    }

    private void violation(String what) {
        violations.add(what);
    }

    /** Throws for the first violation seen since the run started. */
    void afterStep() {
        if (!violations.isEmpty()) {
            throw new AssertionError("I9 violated: " + violations.get(0)
                    + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : ""));
        }
    }
}
