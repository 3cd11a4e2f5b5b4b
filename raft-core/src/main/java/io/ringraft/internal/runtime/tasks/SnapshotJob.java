package io.ringraft.internal.runtime.tasks;

import io.ringraft.api.LogId;
import io.ringraft.internal.runtime.NodeShutdown;
import io.ringraft.spi.StateMachine;
import java.util.concurrent.CompletableFuture;

/**
 * The state machine's captured state, to be written as the snapshot up to {@code last}: set by the
 * applier when no job is pending, cleared by the {@link SnapshotTask} once written (or by
 * {@link NodeShutdown} when the node stops). {@code requested} is the application's request it
 * answers, or null.
 */
public record SnapshotJob(LogId last, byte[] membership, StateMachine.Snapshot view, CompletableFuture<LogId> requested) {
}
