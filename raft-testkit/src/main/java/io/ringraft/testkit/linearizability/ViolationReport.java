package io.ringraft.testkit.linearizability;

import io.ringraft.testkit.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a failed search or a pre-check finding into a {@link Violation} with readable text lines.
 * Package-private helper of {@link LinearizabilityChecker}; stateless.
 */
final class ViolationReport {

    private ViolationReport() {
    }

    /** {@code c3 put(x, "a") -> ok [10, 20]}, or {@code ... -> ? [10, ?)} for unknown outcomes. */
    static <S, I, O> String describe(Model<S, I, O> model, Operation<I, O> op) {
        String in = "c" + op.clientId() + " " + model.describeInput(op.input());
        return op.isUnknown()
                ? in + " -> ? [" + op.call() + ", ?)"
                : in + " -> " + model.describeOutput(op.output()) + " [" + op.call() + ", " + op.ret() + "]";
    }

    static <S, I, O> Violation<I, O> fromSearch(Model<S, I, O> model, Object key, List<Operation<I, O>> ops,
            WglSearch.Result<S> result) {
        Operation<I, O> stuck = ops.get(result.blocker());
        String reason = describe(model, stuck) + " cannot be linearized after the longest legal prefix ("
                + result.prefix().size() + " of " + ops.size() + " ops)";
        List<String> lines = new ArrayList<>();
        lines.add("key=" + key + ": NOT LINEARIZABLE: " + reason);
        lines.add("  initial state: " + model.describeState(model.init()));
        lines.add("  longest linearizable prefix (" + result.prefix().size() + " of " + ops.size() + " ops):");
        List<Operation<I, O>> prefix = new ArrayList<>();
        for (int i = 0; i < result.prefix().size(); i++) {
            Operation<I, O> op = ops.get(result.prefix().get(i));
            prefix.add(op);
            lines.add("    " + (i + 1) + ". " + describe(model, op) + "  => "
                    + model.describeState(result.statesAfter().get(i)));
        }
        lines.add("  then in state " + model.describeState(result.blockerState()) + ", " + describe(model, stuck)
                + " must take effect before it returns, but no eligible op leads to a linearization:");
        for (int index : result.candidates()) {
            Operation<I, O> op = ops.get(index);
            boolean legal = (op.isUnknown()
                    ? model.stepUnknown(result.blockerState(), op.input())
                    : model.step(result.blockerState(), op.input(), op.output())) != null;
            lines.add("    " + describe(model, op) + (legal ? ": legal here, dead end later" : ": illegal here"));
        }
        return new Violation<>(key, stuck, reason, prefix, lines);
    }

    static <S, I, O> Violation<I, O> fromPreCheck(Model<S, I, O> model, Object key,
            PreCheck.Finding<I, O> finding) {
        String reason = describe(model, finding.operation()) + ": " + finding.reason();
        List<String> lines = List.of("key=" + key + ": NOT LINEARIZABLE (pre-check): " + reason);
        return new Violation<>(key, finding.operation(), reason, List.of(), lines);
    }
}
