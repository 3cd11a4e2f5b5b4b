/**
 * The bounded ring that holds a node's log entries: {@code EntryRing} (pre-allocated slots and payload
 * arena, a seqlock per slot, reclaimed only up to {@code applied}), the views tasks read it through
 * in place ({@code RingEntries}, with the per-entry origin of {@code OriginEntries}) or copy from it
 * ({@code EntryHeader}, and {@code EntryBatch} for entries read from storage), and
 * {@code RingDiscardGuard}, which keeps the core from discarding entries the log writer is handing to
 * storage.
 *
 * <p><b>Threads.</b> Only the core task writes the ring (appends, truncates, resets, reclaims); any
 * task reads it, and a reader re-checks a slot's version after reading it (a slot may be recycled
 * under it). The views and batches are owned by the one task that captures or fills them. Nothing in
 * this package blocks or allocates per entry. Internal: not exported by the module. See
 * {@code docs/architecture.md}, "The ring".
 */
package io.ringraft.internal.runtime.ring;
