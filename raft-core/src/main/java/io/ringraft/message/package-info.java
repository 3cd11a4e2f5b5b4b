/**
 * The messages Raft group members exchange, as immutable records, and the {@code LogEntries} view
 * that AppendEntries carries. Transports encode and decode these; the engine produces and consumes
 * them.
 */
package io.ringraft.message;
