/**
 * Client sessions of {@code io.ringraft.api.client.SessionStateMachine}: the replicated session table
 * (deduplication by client id and sequence, cached results, deterministic expiry by log time), its
 * snapshot form, and the views that hand the wrapped state machine its commands without their
 * envelopes (these run on the node's applier thread, or under the wrapper's lock); and the weight arithmetic
 * of the built-in load balancers (any thread).
 */
package io.ringraft.internal.client;
