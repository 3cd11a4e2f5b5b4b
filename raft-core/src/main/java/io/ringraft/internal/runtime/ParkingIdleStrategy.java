package io.ringraft.internal.runtime;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of RingRaft's task threads: a few spins and yields after the last useful duty
 * cycle (cheap when work arrives in bursts), then park until a {@link Signal} wakes the thread or
 * {@code maxParkNanos} passes. An idle node therefore uses no CPU beyond its tick wake-ups.
 */
final class ParkingIdleStrategy implements IdleStrategy {

    private static final int SPINS = 10;
    private static final int YIELDS = 1;

    private final Signal signal;
    private final long maxParkNanos;
    private int idleCycles;

    ParkingIdleStrategy(Signal signal, long maxParkNanos) {
        this.signal = signal;
        this.maxParkNanos = maxParkNanos;
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
            signal.awaitWake(maxParkNanos);
        }
        idleCycles++;
    }

    @Override
    public void reset() {
        idleCycles = 0;
    }

    @Override
    public String alias() {
        return "ringraft-parking";
    }
}
