package io.ringraft.testkit.linearizability;

import io.ringraft.testkit.Model;
import io.ringraft.testkit.linearizability.EntryList.Entry;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Wing–Gong–Lowe linearizability search with Lowe's memoization, as Porcupine implements it,
 * for the operations of one partition. Package-private engine of {@link LinearizabilityChecker};
 * single-threaded and deterministic (the step budget, not wall time, bounds it).
 *
 * <p>Walk the entry list from the front. At a call, try to linearize that operation next: if the
 * model accepts it and the pair (linearized set plus it, new state) has not been seen before, push
 * it, lift it out of the list and restart from the front. At a return, the operation returning
 * there should already have been linearized: backtrack by popping the last choice, unlifting it and
 * trying the entry after it. Success once every known-outcome operation is linearized; unknown ones
 * left over simply never took effect. An empty stack at a return means no linearization exists.
 */
final class WglSearch {

    /**
     * What one search found.
     *
     * @param prefix operation indices of the longest linearizable prefix found (OK: a full
     *     linearization of the known operations plus the unknown ones placed among them)
     * @param statesAfter the model state after each prefix operation
     * @param blocker for ILLEGAL, the operation whose return was reached right after the longest
     *     prefix (it had to be linearized by then but could not be), else -1
     * @param candidates for ILLEGAL, the operations that were eligible to go next after the longest
     *     prefix (the blocker among them); none of them leads to a full linearization
     * @param blockerState for ILLEGAL, the state after the longest prefix
     */
    record Result<S>(Outcome outcome, long steps, List<Integer> prefix, List<S> statesAfter,
            int blocker, List<Integer> candidates, S blockerState) {
    }

    private record Frame<S>(Entry call, S stateBefore, BitSet linearizedBefore) {
    }

    private record CacheKey<S>(BitSet linearized, S state) {
    }

    private WglSearch() {
    }

    static <S, I, O> Result<S> run(Model<S, I, O> model, List<Operation<I, O>> ops, long stepBudget) {
        int known = 0;
        for (Operation<I, O> op : ops) {
            if (!op.isUnknown()) {
                known++;
            }
        }
        Entry head = EntryList.build(ops);
        Set<CacheKey<S>> cache = new HashSet<>();
        List<Frame<S>> stack = new ArrayList<>();
        BitSet linearized = new BitSet(ops.size());
        S state = model.init();
        int linearizedKnown = 0;
        long steps = 0;

        // Longest prefix and what blocked it, for the report.
        int bestDepth = 0;
        List<Integer> bestPrefix = List.of();
        List<S> bestStates = List.of();
        boolean blockerPending = true;
        int blocker = -1;
        List<Integer> candidates = List.of();
        S blockerState = state;

        Entry entry = head.next;
        while (linearizedKnown < known) {
            if (steps >= stepBudget) {
                return new Result<>(Outcome.UNKNOWN, steps, bestPrefix, bestStates, -1, List.of(), null);
            }
            steps++;
            if (entry == null) {
                throw new IllegalStateException("search ran off the entry list; bug in WglSearch");
            }
            if (entry.isCall) {
                Operation<I, O> op = ops.get(entry.op);
                S next = op.isUnknown()
                        ? model.stepUnknown(state, op.input())
                        : model.step(state, op.input(), op.output());
                if (next != null) {
                    BitSet nextLinearized = (BitSet) linearized.clone();
                    nextLinearized.set(entry.op);
                    if (cache.add(new CacheKey<>(nextLinearized, next))) {
                        stack.add(new Frame<>(entry, state, linearized));
                        state = next;
                        linearized = nextLinearized;
                        if (!op.isUnknown()) {
                            linearizedKnown++;
                        }
                        EntryList.lift(entry);
                        if (stack.size() > bestDepth) {
                            bestDepth = stack.size();
                            bestPrefix = prefixOf(stack);
                            bestStates = statesAfter(stack, state);
                            blockerPending = true;
                        }
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (blockerPending && stack.size() == bestDepth) {
                    // First dead end after the longest prefix: record who was stuck there.
                    blockerPending = false;
                    blocker = entry.op;
                    blockerState = state;
                    candidates = callsBefore(head, entry);
                }
                if (stack.isEmpty()) {
                    return new Result<>(Outcome.ILLEGAL, steps, bestPrefix, bestStates, blocker, candidates,
                            blockerState);
                }
                Frame<S> top = stack.remove(stack.size() - 1);
                entry = top.call();
                state = top.stateBefore();
                linearized = top.linearizedBefore();
                if (!ops.get(entry.op).isUnknown()) {
                    linearizedKnown--;
                }
                EntryList.unlift(entry);
                entry = entry.next;
            }
        }
        return new Result<>(Outcome.OK, steps, prefixOf(stack), statesAfter(stack, state), -1, List.of(), null);
    }

    private static <S> List<Integer> prefixOf(List<Frame<S>> stack) {
        List<Integer> prefix = new ArrayList<>(stack.size());
        for (Frame<S> f : stack) {
            prefix.add(f.call().op);
        }
        return List.copyOf(prefix);
    }

    private static <S> List<S> statesAfter(List<Frame<S>> stack, S current) {
        List<S> states = new ArrayList<>(stack.size());
        for (int i = 1; i < stack.size(); i++) {
            states.add(stack.get(i).stateBefore());
        }
        if (!stack.isEmpty()) {
            states.add(current);
        }
        return List.copyOf(states);
    }

    private static List<Integer> callsBefore(Entry head, Entry stop) {
        List<Integer> calls = new ArrayList<>();
        for (Entry e = head.next; e != stop; e = e.next) {
            calls.add(e.op);
        }
        return List.copyOf(calls);
    }
}
