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
    /**
     * Told every violation the observer finds and every exception the user's state machine throws
     * (both are rethrown, but the node turns what {@code apply} throws into a fail-stop: the simulation
     * reports them from here).
     */
    private final java.util.function.Consumer<AssertionError> failures;
    /** Index of the last command applied, or of the last one a restored snapshot holds. */
    private long lastIndex;

    ObservedStateMachine(long nodeId, StateMachine user, ApplyObserver observer,
                         java.util.function.Consumer<AssertionError> failures) {
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
        try {
            for (int i = from; i < from + count; i++) {
                observer.applied(nodeId, entries.firstIndex() + i, entries.termAt(i),
                        CommandEnvelope.opId(entries.payloadAt(i)));
            }
        } catch (AssertionError violation) {
            throw reported(violation);
        }
        try {
            user.apply(new UserEntries(entries, from, count), results);
        } catch (RuntimeException e) {
            failures.accept(new AssertionError("the state machine threw on node " + nodeId + " applying "
                    + (entries.firstIndex() + from) + "+" + count + ": " + e, e));
            throw e;
        }
        lastIndex = entries.firstIndex() + from + count - 1;
        if (digest != null) {
            try {
                observer.stateAt(nodeId, lastIndex, digest.stateDigest());
            } catch (AssertionError violation) {
                throw reported(violation);
            }
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
        try {
            observer.snapshot(nodeId, index, digest != null, digest == null ? 0 : digest.stateDigest(), false);
        } catch (AssertionError violation) {
            throw reported(violation);
        }
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
        try {
            observer.snapshot(nodeId, index, digest != null, digest == null ? 0 : digest.stateDigest(), true);
        } catch (AssertionError violation) {
            throw reported(violation);
        }
    }

    private AssertionError reported(AssertionError violation) {
        failures.accept(violation);
        return violation;
    }

    /** Index of the last command applied, or of the last one a restored snapshot holds. */
    long lastIndex() {
        return lastIndex;
    }
}
