package io.ringraft.testkit.exactlyonce;

import io.ringraft.testkit.Model;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A counter whose session adds take effect once: the first time command {@code (clientId, seq)} takes
 * effect it adds and answers the value after; every later copy changes nothing and answers the same.
 * A session's id is whatever the register answered.
 */
final class ExactlyOnceModel implements Model<ExactlyOnceModel.State, SessionOp, Long> {

    /** The value and the answer of every session command that took effect. Immutable. */
    record State(long value, Map<List<Long>, Long> answers) {
    }

    @Override
    public State init() {
        return new State(0, Map.of());
    }

    @Override
    public State step(State state, SessionOp op, Long output) {
        if (op instanceof SessionOp.Register) {
            return state;
        }
        if (op instanceof SessionOp.Read) {
            return output != null && output == state.value() ? state : null;
        }
        SessionOp.Add add = (SessionOp.Add) op;
        Long first = state.answers().get(key(add));
        if (first != null) {
            return first.equals(output) ? state : null;
        }
        State after = applied(state, add);
        return output != null && output == after.value() ? after : null;
    }

    @Override
    public State stepUnknown(State state, SessionOp op) {
        if (op instanceof SessionOp.Add add && !state.answers().containsKey(key(add))) {
            return applied(state, add);
        }
        return state;
    }

    private static State applied(State state, SessionOp.Add add) {
        Map<List<Long>, Long> answers = new HashMap<>(state.answers());
        long value = state.value() + add.amount();
        answers.put(key(add), value);
        return new State(value, Map.copyOf(answers));
    }

    private static List<Long> key(SessionOp.Add add) {
        return List.of(add.clientId(), add.seq());
    }
}
