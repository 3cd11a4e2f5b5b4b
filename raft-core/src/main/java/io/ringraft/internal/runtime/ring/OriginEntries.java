package io.ringraft.internal.runtime.ring;

import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.spi.LogEntries;

/**
 * Entries a task of the node reads for itself that also say, per entry, who proposed it here (the
 * ring keeps that; storage does not, so entries read from storage have no origin). The applier
 * uses it to complete local proposals. Owned and used by one thread.
 */
public interface OriginEntries extends LogEntries {

    /** The origin tag of the entry at {@code offset} ({@link ProposalOutcomes#NONE} if none). */
    byte originAt(int offset);

    /** The correlation id of the entry at {@code offset}. */
    long correlationAt(int offset);

    /** A view of {@code count} entries from {@code fromOffset}, valid until these entries change. */
    LogEntries slice(int fromOffset, int count);
}
