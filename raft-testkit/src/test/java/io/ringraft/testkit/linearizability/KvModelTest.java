package io.ringraft.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KvModelTest {

    private final KvModel model = KvModel.INSTANCE;
    private final KvState xa = KvState.EMPTY.with("x", "a");

    @Test
    void putWritesAndAnswersOk() {
        assertThat(model.step(KvState.EMPTY, KvInput.put("x", "a"), KvOutput.ok())).isEqualTo(xa);
        assertThat(model.step(KvState.EMPTY, KvInput.put("x", "a"), KvOutput.value(null))).isNull();
    }

    @Test
    void getMustReturnTheCurrentValueOrAbsent() {
        assertThat(model.step(KvState.EMPTY, KvInput.get("x"), KvOutput.value(null))).isEqualTo(KvState.EMPTY);
        assertThat(model.step(xa, KvInput.get("x"), KvOutput.value("a"))).isEqualTo(xa);
        assertThat(model.step(xa, KvInput.get("x"), KvOutput.value("b"))).isNull();
        assertThat(model.step(xa, KvInput.get("x"), KvOutput.value(null))).isNull();
        assertThat(model.step(xa, KvInput.get("y"), KvOutput.value(null))).isEqualTo(xa);
    }

    @Test
    void casSwapsIffExpectationHolds() {
        assertThat(model.step(KvState.EMPTY, KvInput.cas("x", null, "a"), KvOutput.cas(true))).isEqualTo(xa);
        assertThat(model.step(KvState.EMPTY, KvInput.cas("x", null, "a"), KvOutput.cas(false))).isNull();
        assertThat(model.step(xa, KvInput.cas("x", "a", "b"), KvOutput.cas(true)))
                .isEqualTo(new KvState(Map.of("x", "b")));
        assertThat(model.step(xa, KvInput.cas("x", "z", "b"), KvOutput.cas(false))).isEqualTo(xa);
        assertThat(model.step(xa, KvInput.cas("x", "z", "b"), KvOutput.cas(true))).isNull();
        assertThat(model.step(xa, KvInput.cas("x", "a", "b"), KvOutput.ok())).isNull();
    }

    @Test
    void unknownOutcomesApplyAsTheStoreWould() {
        assertThat(model.stepUnknown(KvState.EMPTY, KvInput.put("x", "a"))).isEqualTo(xa);
        assertThat(model.stepUnknown(xa, KvInput.get("x"))).isEqualTo(xa);
        assertThat(model.stepUnknown(xa, KvInput.cas("x", "a", "b"))).isEqualTo(new KvState(Map.of("x", "b")));
        assertThat(model.stepUnknown(xa, KvInput.cas("x", null, "b"))).isEqualTo(xa);
    }

    @Test
    void statesAndRequestsPrintReadably() {
        assertThat(xa.with("w", "b")).hasToString("{w=\"b\", x=\"a\"}");
        assertThat(KvInput.cas("x", null, "b")).hasToString("cas(x, absent -> \"b\")");
        assertThat(KvInput.put("x", "b")).hasToString("put(x, \"b\")");
        assertThat(KvOutput.value(null)).hasToString("absent");
        assertThat(KvOutput.cas(true)).hasToString("true");
    }
}
