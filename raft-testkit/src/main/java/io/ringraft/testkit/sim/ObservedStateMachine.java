package io.ringraft.testkit.sim;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.StateDigest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The user's state machine as a simulated node runs it: strips each command's {@link CommandEnvelope}
 * (the user sees only its own bytes), reports every apply to the {@link ApplyObserver} (the safety
 * checker), and frames snapshots with the index they were taken at, so a restore reports where the
 * node's state now stands. If the user's machine implements {@link StateDigest}, the state's digest is
 * reported after every batch, snapshot and restore. One per node incarnation; single-threaded.
 */
final class ObservedStateMachine implements StateMachine {

    private final long nodeId;
    private final StateMachine user;
    private final StateDigest digest;
    private final ApplyObserver observer;
    /** Told the first exception the user's state machine throws (it is rethrown: the node fail-stops). */
    private final java.util.function.Consumer<RuntimeException> failures;
    /** Index of the last command applied, or of the last one a restored snapshot holds. */
    private long lastIndex;

    ObservedStateMachine(long nodeId, StateMachine user, ApplyObserver observer,
                         java.util.function.Consumer<RuntimeException> failures) {
        this.failures = failures;
        this.nodeId = nodeId;
        this.user = user;
        this.digest = user instanceof StateDigest d ? d : null;
        this.observer = observer;
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        applyRange(entries, 0, entries.count(), results);
    }

    /** Applies the command at {@code offset} of {@code entries} alone; its result goes to {@code results} at offset 0. */
    void applyOne(LogEntries entries, int offset, ApplyResults results) {
        applyRange(entries, offset, 1, results);
    }

    private void applyRange(LogEntries entries, int from, int count, ApplyResults results) {
        for (int i = from; i < from + count; i++) {
            observer.applied(nodeId, entries.firstIndex() + i, entries.termAt(i),
                    CommandEnvelope.opId(entries.payloadAt(i)));
        }
        try {
            user.apply(new UserEntries(entries, from, count), results);
        } catch (RuntimeException e) {
            failures.accept(e);
            throw e;
        }
        lastIndex = entries.firstIndex() + from + count - 1;
        if (digest != null) {
            observer.stateAt(nodeId, lastIndex, digest.stateDigest());
        }
    }

    @Override
    public Object query(Bytes query) {
        return user.query(query);
    }

    @Override
    public Snapshot snapshot() {
        Snapshot inner = user.snapshot();
        long index = lastIndex;
        observer.snapshot(nodeId, index, digest != null, digest == null ? 0 : digest.stateDigest(), false);
        return out -> {
            DataOutputStream stream = new DataOutputStream(out);
            stream.writeLong(index);
            stream.flush();
            inner.writeTo(out);
        };
    }

    @Override
    public void restore(InputStream data) throws IOException {
        long index = new DataInputStream(data).readLong();
        user.restore(data);
        lastIndex = index;
        observer.snapshot(nodeId, index, digest != null, digest == null ? 0 : digest.stateDigest(), true);
    }

    /** Index of the last command applied, or of the last one a restored snapshot holds. */
    long lastIndex() {
        return lastIndex;
    }
}
