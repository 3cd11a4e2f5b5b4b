/**
 * The messages Raft group members exchange, as immutable records (an AppendEntries carries its
 * entries as an {@code io.ringraft.spi.LogEntries} view), and {@code Releasable}, the contract by
 * which a message may hold transport memory. Transports encode and decode these; the engine
 * produces and consumes them.
 */
package io.ringraft.message;
