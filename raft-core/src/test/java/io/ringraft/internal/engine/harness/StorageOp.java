package io.ringraft.internal.engine.harness;

import io.ringraft.api.Vote;
import java.util.List;

/** A storage change the engine handed to a node's storage model, in {@code seq} order. */
public sealed interface StorageOp {

    /** The engine's sequence number for this change (unique per engine incarnation). */
    long seq();

    record SaveVote(long seq, Vote vote) implements StorageOp {
    }

    record Truncate(long seq, long fromIndex) implements StorageOp {
    }

    record Append(long seq, long firstIndex, List<SimEntry> entries) implements StorageOp {

        public Append {
            entries = List.copyOf(entries);
        }

        public long lastIndex() {
            return firstIndex + entries.size() - 1;
        }
    }
}
