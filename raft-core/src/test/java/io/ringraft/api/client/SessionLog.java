package io.ringraft.api.client;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A generated log of session envelopes, as a faulty network and retrying clients would leave it:
 * each client registers, then its operations appear one to three times each (retries and duplicated
 * requests), in shuffled order (pipelined requests overtaking each other), with leader times that
 * mostly advance and sometimes step back (a new leader with a slower clock). Each command
 * acknowledges only operations whose first copy is earlier in the log (answers the client could have).
 */
final class SessionLog {

    final List<byte[]> entries = new ArrayList<>();
    /** Operation id of each COMMAND entry, by log index. */
    final Map<Long, Long> opAt = new HashMap<>();
    final List<Long> clientIds = new ArrayList<>();

    static SessionLog generate(long seed, int clients, int opsPerClient, long maxStepMillis) {
        SplittableRandom random = new SplittableRandom(seed);
        SessionLog log = new SessionLog();
        long time = 1_000_000;
        for (int c = 0; c < clients; c++) {
            log.entries.add(SessionCommands.register(time));
            log.clientIds.add((long) log.entries.size());
        }
        List<long[]> copies = new ArrayList<>(); // {client, seq}
        for (int c = 0; c < clients; c++) {
            for (int seq = 1; seq <= opsPerClient; seq++) {
                int times = 1 + random.nextInt(3);
                for (int k = 0; k < times; k++) {
                    copies.add(new long[] {c, seq});
                }
            }
        }
        Collections.shuffle(copies, new java.util.Random(random.nextLong()));
        Map<Integer, java.util.Set<Long>> seen = new HashMap<>();
        for (long[] copy : copies) {
            int client = (int) copy[0];
            long seq = copy[1];
            java.util.Set<Long> answered = seen.computeIfAbsent(client, k -> new java.util.HashSet<>());
            long ackedBelow = 1;
            while (answered.contains(ackedBelow)) {
                ackedBelow++;
            }
            time += random.nextInt(10) == 0 ? -random.nextLong(1 + maxStepMillis / 2) : random.nextLong(1 + maxStepMillis);
            long op = opId(client, seq);
            log.entries.add(SessionCommands.command(log.clientIds.get(client), seq, ackedBelow, time,
                    CountingStateMachine.op(op)));
            log.opAt.put((long) log.entries.size(), op);
            answered.add(seq);
        }
        return log;
    }

    static long opId(int client, long seq) {
        return client * 1_000_000L + seq;
    }

    /** Applies entries {@code [from, to)} (0-based) to {@code machine} in batches split at random. */
    void apply(SessionStateMachine machine, RecordedResults results, int from, int to, SplittableRandom split) {
        int at = from;
        while (at < to) {
            int size = Math.min(to - at, 1 + split.nextInt(8));
            HeapLogEntries.Builder batch = HeapLogEntries.builder(at + 1);
            for (int i = at; i < at + size; i++) {
                batch.add(1, EntryKind.COMMAND, entries.get(i));
            }
            results.firstIndex = at + 1;
            machine.apply(batch.build(), results);
            at += size;
        }
    }
}
