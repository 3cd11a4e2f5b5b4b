package io.ringraft.net.netty.client;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A state machine for client tests: a command is an 8-byte id; applying counts how often each id was
 * applied and answers with the number of commands applied so far. A query (8 bytes) answers how often
 * that id was applied, and counts the queries this replica served.
 */
final class CountingMachine implements StateMachine {

    final Map<Long, Integer> applied = new ConcurrentHashMap<>();
    final AtomicLong total = new AtomicLong();
    final AtomicLong queries = new AtomicLong();

    static byte[] id(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            applied.merge(entries.payloadAt(i).getLong(0), 1, Integer::sum);
            results.set(i, id(total.incrementAndGet()));
        }
    }

    @Override
    public Object query(Bytes query) {
        queries.incrementAndGet();
        return id(applied.getOrDefault(query.getLong(0), 0));
    }
}
