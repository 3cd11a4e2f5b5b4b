/**
 * Public value types of RingRaft's API: log identities, votes, roles and entry kinds.
 *
 * <p>Everything here is an immutable value or an enum, safe to use from any thread, except
 * {@link io.ringraft.api.Bytes}: the read-only view through which RingRaft hands over payloads and
 * queries, valid only as long as its producer says and used by one thread at a time.
 */
package io.ringraft.api;
