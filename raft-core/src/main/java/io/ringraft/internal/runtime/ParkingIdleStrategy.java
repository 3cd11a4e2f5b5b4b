package io.ringraft.internal.runtime;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of RingRaft's task threads: a few spins and yields after the last useful duty
 * cycle (cheap when work arrives in bursts), then park until a {@link Signal} wakes the thread or the
 * park time passes (fixed, or asked each time: a host worker parks until its next tick). An idle node
 * therefore uses no CPU beyond its tick wake-ups.
 */
public final class ParkingIdleStrategy implements IdleStrategy {

    private static final int SPINS = 10;
    private static final int YIELDS = 1;

    private final Signal signal;
    private final java.util.function.LongSupplier parkNanos;
    private int idleCycles;

    ParkingIdleStrategy(Signal signal, long maxParkNanos) {
        this(signal, () -> maxParkNanos);
    }

    /**
     * An idle strategy that asks {@code parkNanos} how long it may park each time it parks.
     *
     * @param signal    the signal the thread parks on (bound to it)
     * @param parkNanos how long to park at most, asked on the thread at each park
     */
    public ParkingIdleStrategy(Signal signal, java.util.function.LongSupplier parkNanos) {
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
        return "ringraft-parking";
    }
}
