/**
 * Public value types of RingRaft's API: log identities, votes, roles and entry kinds.
 *
 * <p>Everything here is an immutable value or an enum, safe to use from any thread.
 */
package io.ringraft.api;
