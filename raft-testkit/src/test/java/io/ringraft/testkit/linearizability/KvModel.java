package io.ringraft.testkit.linearizability;

import io.ringraft.testkit.Model;
import java.util.Objects;

/**
 * Sequential specification of the simulator's key-value store: {@code put}, {@code get} and
 * {@code cas} on string keys and values, every key initially absent. Stateless and thread-safe;
 * use {@link #INSTANCE}. Normally used through {@link KvLinearizability#checker()}.
 *
 * <p>A response of the wrong kind for its request (say {@link KvOutput.Ok} for a get) is illegal.
 * An unknown-outcome request is applied as the store would have applied it: a put writes, a cas
 * swaps iff its expectation holds, a get changes nothing.
 */
public final class KvModel implements Model<KvState, KvInput, KvOutput> {

    /** The shared instance. */
    public static final KvModel INSTANCE = new KvModel();

    private KvModel() {
    }

    @Override
    public KvState init() {
        return KvState.EMPTY;
    }

    @Override
    public KvState step(KvState state, KvInput input, KvOutput output) {
        if (input instanceof KvInput.Put put) {
            return output instanceof KvOutput.Ok ? state.with(put.key(), put.value()) : null;
        }
        if (input instanceof KvInput.Get get) {
            return output instanceof KvOutput.Value v && Objects.equals(v.value(), state.get(get.key()))
                    ? state
                    : null;
        }
        KvInput.Cas cas = (KvInput.Cas) input;
        if (!(output instanceof KvOutput.CasResult result)) {
            return null;
        }
        boolean matches = Objects.equals(cas.expected(), state.get(cas.key()));
        if (result.swapped() != matches) {
            return null;
        }
        return matches ? state.with(cas.key(), cas.newValue()) : state;
    }

    @Override
    public KvState stepUnknown(KvState state, KvInput input) {
        if (input instanceof KvInput.Put put) {
            return state.with(put.key(), put.value());
        }
        if (input instanceof KvInput.Cas cas) {
            return Objects.equals(cas.expected(), state.get(cas.key())) ? state.with(cas.key(), cas.newValue()) : state;
        }
        return state;
    }
}
