package io.ringraft.internal.runtime;

import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ProposalListener} for tests that records every call per correlation id, from any thread,
 * so a test can check that each accepted proposal was reported exactly once.
 */
final class ProposalReports implements ProposalListener {

    /** One call: the applied index, or the failure. */
    record Report(long index, RaftException failure) {
    }

    private final Map<Long, List<Report>> reports = new ConcurrentHashMap<>();

    @Override
    public void onApplied(long correlationId, long index, Object result) {
        add(correlationId, new Report(index, null));
    }

    @Override
    public void onFailed(long correlationId, RaftException reason) {
        add(correlationId, new Report(-1, reason));
    }

    private void add(long correlationId, Report report) {
        reports.computeIfAbsent(correlationId, id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(report);
    }

    /** The calls for {@code correlationId}, in order (empty if none). */
    List<Report> of(long correlationId) {
        List<Report> calls = reports.get(correlationId);
        return calls == null ? List.of() : List.copyOf(calls);
    }

    /** How many correlation ids were reported as failed (once or more). */
    long failedCount() {
        return reports.values().stream().filter(calls -> List.copyOf(calls).stream()
                .anyMatch(report -> report.failure() != null)).count();
    }

    /** How many correlation ids were reported as applied (once or more). */
    long appliedCount() {
        return reports.values().stream().filter(calls -> List.copyOf(calls).stream()
                .anyMatch(report -> report.failure() == null)).count();
    }
}
