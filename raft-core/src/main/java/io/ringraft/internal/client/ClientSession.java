package io.ringraft.internal.client;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One client's session in the replicated table: when it was last active (log time), which sequences
 * the client has acknowledged, and the cached answers of the others, at most {@code maxResults}.
 * Applier thread only.
 */
public final class ClientSession {

    final long clientId;
    long lastActiveMillis;
    /** Every sequence below this has its answer at the client; their results are dropped. */
    long ackedBelow = 1;
    final Map<Long, CachedResult> results = new LinkedHashMap<>();

    ClientSession(long clientId, long lastActiveMillis) {
        this.clientId = clientId;
        this.lastActiveMillis = lastActiveMillis;
    }

    /** Drops the results of sequences below {@code below} (acknowledged by the client). */
    void acknowledge(long below) {
        if (below <= ackedBelow) {
            return;
        }
        ackedBelow = below;
        Iterator<Long> seqs = results.keySet().iterator();
        while (seqs.hasNext()) {
            if (seqs.next() < below) {
                seqs.remove();
            }
        }
    }

    ClientSession copy() {
        ClientSession copy = new ClientSession(clientId, lastActiveMillis);
        copy.ackedBelow = ackedBelow;
        copy.results.putAll(results);
        return copy;
    }
}
