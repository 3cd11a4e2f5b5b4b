package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.IOException;
import java.io.InputStream;

/**
 * Lets a {@link StreamingStateMachine} sit where the runtime keeps its {@link StateMachine}: reads,
 * snapshots and restores go straight through; {@link #apply} is never called, because the applier
 * recognises this adapter and runs the stream instead ({@link ApplyStream}). Built by
 * {@link NodeRuntime#streaming}; stateless, so any thread may call what the wrapped machine allows.
 */
public final class StreamingAdapter implements StateMachine {

    final StreamingStateMachine machine;

    public StreamingAdapter(StreamingStateMachine machine) {
        this.machine = java.util.Objects.requireNonNull(machine, "machine");
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        throw new IllegalStateException("a streaming state machine is fed by the applier's stream, not apply()");
    }

    @Override
    public Object query(io.ringraft.api.Bytes query) {
        return machine.query(query);
    }

    @Override
    public Snapshot snapshot() {
        return machine.snapshot();
    }

    @Override
    public void restore(InputStream data) throws IOException {
        machine.restore(data);
    }

    @Override
    public String toString() {
        return machine.toString();
    }
}
