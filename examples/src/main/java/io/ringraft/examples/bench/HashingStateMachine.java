package io.ringraft.examples.bench;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;

/**
 * The benchmark's state machine: counts the commands it applied and folds each one's index, length
 * and payload bytes into a rolling hash, so that three nodes that applied the same entries in the
 * same order end with the same count and hash. Allocates nothing; sets no results (the driver needs
 * none).
 */
final class HashingStateMachine implements StateMachine {

    private volatile long count;
    private volatile long hash;
    private volatile long lastIndex;

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        long c = count;
        long h = hash;
        long first = entries.firstIndex();
        int n = entries.count();
        for (int i = 0; i < n; i++) {
            Bytes payload = entries.payloadAt(i);
            int length = payload.length();
            long e = mix(first + i) ^ length;
            int j = 0;
            for (; j + 8 <= length; j += 8) {
                e = e * 0x100000001B3L ^ payload.getLong(j);
            }
            for (; j < length; j++) {
                e = e * 0x100000001B3L ^ payload.getByte(j);
            }
            h = h * 31 + mix(e);
            c++;
        }
        lastIndex = first + n - 1;
        hash = h;
        count = c;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long count() {
        return count;
    }

    long hash() {
        return hash;
    }

    long lastIndex() {
        return lastIndex;
    }
}
