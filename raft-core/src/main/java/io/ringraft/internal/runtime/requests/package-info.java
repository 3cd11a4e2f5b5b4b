/**
 * The application's requests while a node's tasks carry them out, and where their outcomes go:
 * {@code ProposalQueue} (the bounded byte queue proposals wait in for the core), {@code RequestQueues} (proposals, reads, forwarded commands, one leadership transfer, one membership
 * change, one snapshot request), the tables behind them ({@code PendingFutures}, {@code PendingReads},
 * {@code Forwards}, with the leader's duplicate filter {@code ForwardedRequests}), the admin requests
 * ({@code TransferRequest}, {@code MembershipRequest}), and {@code ProposalOutcomes}, which hands a
 * proposal's result or failure to its future or to the {@code ProposalListener} ({@code Rejection}: a
 * command the state machine rejected).
 *
 * <p><b>Threads.</b> Any application thread submits; the core and the applier take and complete; the
 * node's shutdown routine fails what is left. Every table and queue is bounded (full means refused,
 * never growth) and lock-free; nothing here blocks. A request is removed from its table before it is
 * completed, so each completes exactly once. Internal: not exported by the module. See
 * {@code docs/architecture.md}, "Completions".
 */
package io.ringraft.internal.runtime.requests;
