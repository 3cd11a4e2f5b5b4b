package io.ringraft.internal.runtime;

import org.agrona.concurrent.Agent;

/**
 * A task whose duty cycle has a write half and a flush half that may run apart: a host's IO thread
 * runs {@link #write()} for every group it serves, then {@link #finishFlush()} for each, so that one
 * flush of a shared log covers all of their writes. {@link Agent#doWork()} runs both halves.
 *
 * <p>Implemented by the log writer; called on the one thread that runs the task.
 */
public interface WriteFlushCycle extends Agent {

    /** The write half: everything but the flush. {@return the work done (0: nothing to write)} */
    int write();

    /** The flush half: flushes if {@link #write()} wrote since the last flush, and reports it. */
    void finishFlush();
}
