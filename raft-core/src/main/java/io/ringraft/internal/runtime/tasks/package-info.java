/**
 * The tasks of a node, each an Agrona {@code Agent} with a duty cycle, and their helpers:
 * {@code CoreTask} (owns the engine and carries out its effects; with {@code CoreForwarding},
 * {@code AdminRequests} and {@code RingRoom}, the engine's view of the ring), {@code LogWriterTask},
 * {@code ApplierTask} (with {@code ApplyStream} and {@code ReportedProgress} for a streaming state
 * machine, and {@code SnapshotInstaller} for snapshots from the leader), {@code SnapshotTask}, and one
 * {@code PeerSender} per member in {@code Peers}. The values they hand each other through single-slot
 * mailboxes are here too: {@code LogCut}, {@code ChunkRequest}, {@code SnapshotJob}, {@code CoreState}.
 *
 * <p><b>How they are built.</b> Each task's constructor takes exactly the pointers, queues and
 * mailboxes it reads or writes, and nothing is set on it afterwards. A pointer's writer is given the
 * {@code ProgressPointer}; a task that only reads it gets its {@code ProgressView}.
 *
 * <p><b>Threads.</b> Each task runs on one thread at a time (its own, one shared by the node's tasks,
 * or the caller's with external scheduling) and owns its fields; tasks talk only through pointers and
 * bounded queues. The core never blocks; the log writer blocks on storage IO, the applier inside the
 * state machine and on storage or snapshot IO, the snapshot task on writing the snapshot, a sender on
 * storage reads for a lagging follower and on snapshot reads. A task that throws stops the node
 * (fail-stop). Internal: not exported by the module. See {@code docs/architecture.md}, "The tasks".
 */
package io.ringraft.internal.runtime.tasks;
