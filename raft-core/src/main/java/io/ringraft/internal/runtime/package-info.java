/**
 * The runtime of one node: how it is assembled, run and stopped, and the primitives its tasks share.
 * {@code NodeRuntime} recovers storage ({@code Recovery}) and builds the node with no shared context
 * object: the ring and queues, the progress pointers, the engine, then each task with exactly the
 * pointers, queues and mailboxes it reads or writes; {@code TaskPlacement} puts the tasks on threads;
 * {@code NodeHandle} is what the API talks to; {@code StatusView} reads the node's status; and
 * {@code NodeShutdown} answers every pending request exactly once when the node stops.
 *
 * <p>The shared primitives: {@code ProgressPointer} (a pointer with one writer task, which alone is
 * given it; the tasks that watch it get its read side, {@code ProgressView}), {@code Signal} and
 * {@code ParkingIdleStrategy} (a task thread parks until a pointer it watches moves),
 * {@code StopState} (closed, or the failure that stopped the node), {@code TransportLink} (the
 * transport the sending tasks hold from construction; {@code start()} connects it),
 * {@code LeaderWatch} (the leader that serves, which {@code isLeader} and {@code awaitLeader} read) and
 * {@code StateMachineCalls} (calls into the state machine whose failures fail-stop as the state
 * machine's, not storage's).
 *
 * <p>Subpackages: {@code ring} (the bounded entry ring and its in-place views), {@code requests} (the
 * application's requests waiting for the tasks, and whose outcome goes where), {@code tasks} (the
 * agents and their helpers).
 *
 * <p><b>Threads.</b> {@code NodeRuntime}'s constructor, {@code start()} and {@code close()} run on the
 * application's thread, once each; before {@code start()} no task runs. The request methods
 * ({@code tryPropose}, {@code tryRead}, ...) and {@code status()} may be called from any thread and
 * never block, except that a proposal may wait up to {@code proposalWaitMillis} for room. Pointers are
 * published with release stores and read with acquire loads; signals never block their caller.
 * Internal: not exported by the module. See {@code docs/architecture.md}.
 */
package io.ringraft.internal.runtime;
