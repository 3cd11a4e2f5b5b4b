/**
 * The machinery behind {@link io.ringraft.messaging}: the envelope every log entry of a messaging group
 * carries ({@link io.ringraft.internal.messaging.Envelope}), the replicated outbox and per-source
 * deduplication table ({@link io.ringraft.internal.messaging.OutboxState}), the state machine wrapper
 * that applies envelopes ({@link io.ringraft.internal.messaging.MessagingMachine}) and the source
 * leader's delivery loop ({@link io.ringraft.internal.messaging.Deliverer}). Issue 15, DESIGN section 4c.
 */
package io.ringraft.internal.messaging;
