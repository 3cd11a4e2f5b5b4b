package io.ringraft.internal.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The effects one engine produced since they were last taken, in production order.
 *
 * <p>Owned by one {@link RaftEngine} and used on its thread only. The engine appends; the executor
 * reads {@link #list()} after an input call, carries every effect out in order, then calls
 * {@link #clear()}. Bounded by what one input call can produce (a few messages per peer, one storage
 * change per kind, one result per pending read), because the executor drains after every call; the
 * backing list is reused and allocates only while it grows to that size.
 */
public final class EngineEffects {

    private final ArrayList<Effect> effects = new ArrayList<>();

    EngineEffects() {
    }

    void add(Effect effect) {
        effects.add(effect);
    }

    /** The effects in production order (a live view: valid until {@link #clear()}). */
    public List<Effect> list() {
        return effects;
    }

    public boolean isEmpty() {
        return effects.isEmpty();
    }

    public int size() {
        return effects.size();
    }

    /** Forgets every effect (after the executor carried them out). */
    public void clear() {
        effects.clear();
    }
}
