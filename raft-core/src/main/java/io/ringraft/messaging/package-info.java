/**
 * Messages between groups (issue 15): a state machine emits messages to other groups while it applies
 * ({@link io.ringraft.messaging.ApplyContext#emit}); they are kept in the group's replicated state (the
 * outbox), delivered by its leader in order per pair of groups, applied exactly once by the target
 * ({@link io.ringraft.messaging.MessagingStateMachine#receive}), and trimmed by a replicated
 * acknowledgement; {@link io.ringraft.messaging.MessageRoute} reaches targets in this process or, through a
 * {@code RaftClient}, in others. Keyed subscriptions read a group's committed log by key, from a replica in
 * this process ({@link io.ringraft.messaging.KeyedSubscription}) or another
 * ({@link io.ringraft.messaging.RemoteSubscription}). Start at {@link io.ringraft.messaging.MessagingGroup};
 * docs/messaging.md explains when to use which.
 */
package io.ringraft.messaging;
