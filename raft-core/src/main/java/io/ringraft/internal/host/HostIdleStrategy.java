package io.ringraft.internal.host;

import io.ringraft.internal.runtime.Signal;
import java.util.function.LongSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of a host's threads: a few spins and a yield after the last cycle that did work,
 * then park on the thread's {@link Signal} for as long as the thread allows ({@link HostWorker#parkNanos()}:
 * until its next tick, or longer when no group ticks).
 */
final class HostIdleStrategy implements IdleStrategy {

    private static final int SPINS = 10;
    private static final int YIELDS = 1;

    private final Signal signal;
    private final LongSupplier parkNanos;
    private int idleCycles;

    HostIdleStrategy(Signal signal, LongSupplier parkNanos) {
        this.signal = signal;
        this.parkNanos = parkNanos;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            idleCycles = 0;
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (idleCycles < SPINS) {
            Thread.onSpinWait();
        } else if (idleCycles < SPINS + YIELDS) {
            Thread.yield();
        } else {
            signal.awaitWake(parkNanos.getAsLong());
        }
        idleCycles++;
    }

    @Override
    public void reset() {
        idleCycles = 0;
    }

    @Override
    public String alias() {
        return "ringraft-host";
    }
}
