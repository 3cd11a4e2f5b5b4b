/**
 * The runtime of one node: the bounded entry ring ({@code EntryRing}, read in place through
 * {@code RingEntries}), the progress pointers ({@code ProgressPointer}) and the tasks that move them
 * ({@code CoreTask}, which owns the engine and carries out its effects; {@code LogWriterTask};
 * {@code PeerSender} per peer; {@code ApplierTask} with {@code ApplyStream} for streaming state
 * machines; {@code SnapshotTask}), assembled by {@code NodeRuntime}, placed on threads by
 * {@code TaskPlacement}, reached by the API through {@code NodeHandle}, and shut down by
 * {@code NodeShutdown}, which answers every pending request exactly once. Internal: not exported by
 * the module. See {@code docs/architecture.md}.
 */
package io.ringraft.internal.runtime;
